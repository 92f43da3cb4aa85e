// Studies: chains of presets (teacher → student, sparse → prune → fine-tune, T → TA → S) as data.
export { BUILTIN_STUDIES } from './builtin-studies.ts';
export {
  resolveStudy,
  substituteStageOutputs,
  STAGE_REF,
  StudySchema,
  StudyStageSchema,
  type ResolvedStage,
  type Study,
  type StudyInput,
  type StudyOverrides,
  type StudyStage,
} from './study.ts';
