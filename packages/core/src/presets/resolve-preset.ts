/**
 * Turning a preset into a run config, pointed at another data set, image size, epoch count... with
 * every override recorded in the config (`preset`, `overrides: ["img=320", ...]`).
 */
import {
  ConfigError,
  parseRunConfig,
  type RunConfig,
  type RunConfigInput,
  type Strategy,
} from '../config/run-config.ts';
import { UPSTREAM_PRESETS, type Preset } from './upstream-presets.ts';

type Overridable = Omit<RunConfigInput, 'preset' | 'overrides' | 'hyp'>;

/**
 * What a user may change on a preset: any run-config field (`null` removes it, e.g. `weights: null` =
 * train from scratch), plus `teacher` for every distillation.
 */
export type PresetOverrides = { [K in keyof Overridable]?: Overridable[K] | null } & {
  hyp?: Partial<NonNullable<RunConfigInput['hyp']>>;
  /** Replaces the teacher of every distillation strategy. */
  teacher?: string;
};

const byName = new Map(UPSTREAM_PRESETS.map((p) => [p.name, p]));

export function presetNames(): string[] {
  return UPSTREAM_PRESETS.map((p) => p.name);
}

export function getPreset(name: string): Preset {
  const p = byName.get(name);
  if (!p) throw new ConfigError(`unknown preset '${name}' (known: ${presetNames().join(', ')})`);
  return p;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Applies overrides to a preset; the result is validated, with the overrides listed as `field=value`. */
export function resolvePreset(name: string, overrides: PresetOverrides = {}): RunConfig {
  const preset = getPreset(name);
  const { hyp, teacher, strategies, ...rest } = overrides;
  const recorded: string[] = [];
  const config: RunConfigInput = structuredClone(preset.config);
  for (const [key, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    if (value === null) {
      delete (config as Record<string, unknown>)[key];
      recorded.push(`${key}=none`);
      continue;
    }
    (config as Record<string, unknown>)[key] = value;
    recorded.push(`${key}=${describe(value)}`);
  }
  if (hyp) {
    config.hyp = { ...config.hyp, ...hyp };
    for (const [k, v] of Object.entries(hyp)) if (v !== undefined) recorded.push(`hyp.${k}=${describe(v)}`);
  }
  if (strategies) {
    config.strategies = strategies;
    recorded.push(`strategies=${describe(strategies)}`);
  }
  if (teacher !== undefined) {
    const list = (config.strategies ?? []) as Strategy[];
    const distills = list.filter((s) => s.kind === 'distill-output' || s.kind === 'distill-feature');
    if (distills.length === 0)
      throw new ConfigError(`preset '${name}': teacher given but the preset does not distil`);
    config.strategies = list.map((s) => (s.kind === 'sparsity' ? s : { ...s, teacher }));
    recorded.push(`teacher=${teacher}`);
  }
  config.preset = name;
  config.overrides = recorded;
  config.name ??= (recorded.length ? `${name} (${recorded.join(', ')})` : name).slice(0, 200);
  return parseRunConfig(config, `preset '${name}'`);
}

/** `@preset:` / `@stage:` / `pretrained:` references left in a config, for the app to resolve. */
export function configReferences(config: RunConfig): Array<{ field: string; ref: string }> {
  const refs: Array<{ field: string; ref: string }> = [];
  const isRef = (v: string) => /^(@preset:|@stage:|pretrained:)/.test(v);
  if (config.weights && isRef(config.weights)) refs.push({ field: 'weights', ref: config.weights });
  config.strategies.forEach((s, i) => {
    if ('teacher' in s && isRef(s.teacher)) refs.push({ field: `strategies.${i}.teacher`, ref: s.teacher });
  });
  return refs;
}
