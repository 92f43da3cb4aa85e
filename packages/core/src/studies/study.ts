/**
 * A study is data: an ordered list of stages, each a preset (plus overrides) whose `weights` or
 * teacher may name an earlier stage's output as `@stage:<id>`. The app runs the stages in order and
 * substitutes each reference with the finished run (id or checkpoint path).
 */
import { z } from 'zod';
import { ConfigError, type RunConfig } from '../config/run-config.ts';
import { configReferences, resolvePreset, type PresetOverrides } from '../presets/resolve-preset.ts';

export const STAGE_REF = /^@stage:([a-z0-9][a-z0-9_-]*)$/;

export const StudyStageSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
    preset: z.string().min(1),
    /** Preset overrides for this stage (`weights: '@stage:sparse'`, `teacher: '@stage:teacher'`, ...). */
    overrides: z.record(z.unknown()).default({}),
    description: z.string().optional(),
  })
  .strict();
export type StudyStage = z.infer<typeof StudyStageSchema>;

export const StudySchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
    title: z.string(),
    description: z.string(),
    /** The reference tables this study reproduces (ids of REFERENCE_TABLES). */
    tables: z.array(z.string()).default([]),
    stages: z.array(StudyStageSchema).min(1),
  })
  .strict();
export type Study = z.infer<typeof StudySchema>;
export type StudyInput = z.input<typeof StudySchema>;

export interface ResolvedStage {
  id: string;
  config: RunConfig;
  /** Earlier stages whose outputs this stage needs. */
  dependsOn: string[];
}

/** Overrides applied to every stage (point the whole study at other data, size, epochs...). */
export type StudyOverrides = Pick<
  PresetOverrides,
  'data' | 'img' | 'epochs' | 'batch' | 'backend' | 'workers' | 'seed'
>;

/**
 * Validates a study and resolves each stage to a run config. Errors name the study and stage: an
 * unknown preset, a reference to a stage that does not come earlier, a bad override.
 */
export function resolveStudy(input: StudyInput, common: StudyOverrides = {}): ResolvedStage[] {
  const parsed = StudySchema.safeParse(input);
  const label = `study '${(input as { name?: string }).name ?? '?'}'`;
  if (!parsed.success) {
    throw new ConfigError(
      `${label}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const study = parsed.data;
  const seen = new Set<string>();
  return study.stages.map((stage) => {
    if (seen.has(stage.id)) throw new ConfigError(`${label}: stage id '${stage.id}' is used twice`);
    let config: RunConfig;
    try {
      config = resolvePreset(stage.preset, { ...common, ...(stage.overrides as PresetOverrides) });
    } catch (e) {
      throw new ConfigError(`${label}, stage '${stage.id}': ${(e as Error).message}`);
    }
    const dependsOn: string[] = [];
    for (const { field, ref } of configReferences(config)) {
      if (ref.startsWith('@preset:')) {
        throw new ConfigError(
          `${label}, stage '${stage.id}': ${field} is '${ref}'; in a study it must name an earlier stage (@stage:<id>)`,
        );
      }
      const m = STAGE_REF.exec(ref);
      if (!m) continue;
      if (!seen.has(m[1]))
        throw new ConfigError(
          `${label}, stage '${stage.id}': ${field} refers to '${m[1]}', which is not an earlier stage`,
        );
      if (!dependsOn.includes(m[1])) dependsOn.push(m[1]);
    }
    seen.add(stage.id);
    return { id: stage.id, config: { ...config, name: `${study.name}/${stage.id}` }, dependsOn };
  });
}

/** Replaces `@stage:<id>` references by the finished stages' outputs (run ids or checkpoint paths). */
export function substituteStageOutputs(
  config: RunConfig,
  outputs: Readonly<Record<string, string>>,
): RunConfig {
  const sub = (v: string, field: string) => {
    const m = STAGE_REF.exec(v);
    if (!m) return v;
    const out = outputs[m[1]];
    if (!out)
      throw new ConfigError(
        `${config.name ?? 'run'}: ${field} needs stage '${m[1]}', which has no output yet`,
      );
    return out;
  };
  return {
    ...config,
    weights: config.weights === undefined ? undefined : sub(config.weights, 'weights'),
    strategies: config.strategies.map((s, i) =>
      'teacher' in s ? { ...s, teacher: sub(s.teacher, `strategies.${i}.teacher`) } : s,
    ),
  };
}
