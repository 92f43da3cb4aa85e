/**
 * Presets and studies offered by the launch form, and launching them: all from @distillery/core
 * (experiments are data); the dashboard only shows them and enqueues runs, as the CLI does.
 */
import {
  BUILTIN_STUDIES,
  ConfigError,
  parseRunConfig,
  resolvePreset,
  resolveStudy,
  substituteStageOutputs,
  UPSTREAM_PRESETS,
  type RunConfig,
  type StudyInput,
  type PresetOverrides,
} from '@distillery/core/config';
import type { RunStore } from '@distillery/db';
import { badRequest } from '~/server/api/errors.ts';
import { overridesFromEdit } from '~/server/presets/overrides.ts';

export const CUSTOM_PRESET = 'custom';

export interface PresetOption {
  name: string;
  title: string;
  description: string;
  kind: 'run' | 'study';
  /** The preset's resolved config (a study: its first stage's), which the form starts from. */
  config: RunConfig;
  stages: Array<{ name: string; preset: string; dependsOn: string[] }>;
}

function studyOption(study: StudyInput): PresetOption | null {
  try {
    const stages = resolveStudy(study);
    return {
      name: `study:${study.name}`,
      title: study.title,
      description: `${study.description} Fields you change apply to every stage.`,
      kind: 'study',
      config: stages[0]!.config,
      stages: stages.map((s) => ({ name: s.id, preset: s.config.preset ?? '?', dependsOn: s.dependsOn })),
    };
  } catch (error) {
    console.warn(`study ${study.name} is not offered: ${(error as Error).message}`);
    return null;
  }
}

export function listPresetOptions(): PresetOption[] {
  const runs: PresetOption[] = UPSTREAM_PRESETS.map((p) => ({
    name: p.name,
    title: `${p.title} [${p.name}]`,
    description: p.description,
    kind: 'run',
    config: resolvePreset(p.name),
    stages: [],
  }));
  const custom: PresetOption = {
    name: CUSTOM_PRESET,
    title: 'Custom run (schema defaults)',
    description: 'Every field at the trainer\u2019s default; edit what you need.',
    kind: 'run',
    config: parseRunConfig({ name: 'custom' }),
    stages: [],
  };
  const studies = BUILTIN_STUDIES.map(studyOption).filter((s): s is PresetOption => s !== null);
  return [...studies, ...runs, custom];
}

function asBadRequest<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof Error) throw badRequest(error.message, error);
    throw error;
  }
}

/**
 * The config to enqueue for a run launched from the form: a preset is re-resolved through core with
 * the user's changes as overrides (recorded as the CLI records them); "custom" is taken as it is.
 */
export function resolveLaunchConfig(preset: string | null | undefined, edited: RunConfig): RunConfig {
  if (!preset || preset === CUSTOM_PRESET) return { ...edited, preset: undefined, overrides: [] };
  return asBadRequest(() => {
    const base = resolvePreset(preset);
    const overrides = overridesFromEdit(edited, base);
    if (edited.name === base.name) delete overrides.name;
    return resolvePreset(preset, overrides);
  });
}

/**
 * Launches a study: one run per stage, enqueued in stage order (a single worker therefore trains a
 * teacher before its student). `@stage:<id>` references become the id of that stage's run, which
 * the trainer resolves to its checkpoint.
 */
export async function launchStudy(store: RunStore, optionName: string, edited: RunConfig): Promise<{ id: string; runIds: string[] }> {
  const name = optionName.replace(/^study:/, '');
  const study = BUILTIN_STUDIES.find((s) => s.name === name);
  if (!study) throw badRequest(`unknown study ${JSON.stringify(name)} (known: ${BUILTIN_STUDIES.map((s) => s.name).join(', ')})`);
  const stages = asBadRequest(() => {
    const first = resolveStudy(study)[0]!.config;
    const edits = overridesFromEdit(edited, first);
    delete edits.name;
    // The user's edits win over each stage's own overrides (hyp merged field by field).
    const edit = (stage: StudyInput['stages'][number]) => {
      const own = (stage.overrides ?? {}) as PresetOverrides;
      const hyp = own.hyp || edits.hyp ? { ...own.hyp, ...edits.hyp } : undefined;
      return { ...stage, overrides: { ...own, ...edits, ...(hyp ? { hyp } : {}) } };
    };
    return resolveStudy({ ...study, stages: study.stages.map(edit) });
  });
  const record = await store.createStudy({
    name: study.title,
    kind: study.name,
    description: study.description,
    stages: stages.map((s) => ({ name: s.id, preset: s.config.preset ?? null, dependsOn: s.dependsOn })),
  });
  const outputs: Record<string, string> = {};
  const runIds: string[] = [];
  for (const stage of stages) {
    const config = asBadRequest(() => substituteStageOutputs(stage.config, outputs));
    const run = await store.createRun({
      name: config.name ?? stage.id,
      preset: config.preset ?? null,
      config: config as unknown as Record<string, unknown>,
      epochsPlanned: config.epochs,
      studyId: record.id,
      createdBy: 'dashboard',
      enqueue: true,
    });
    await store.linkStudyRun(record.id, stage.id, run.id);
    outputs[stage.id] = run.id;
    runIds.push(run.id);
  }
  return { id: record.id, runIds };
}
