/**
 * A run's config from the command line: a preset name or a YAML/JSON file, then overrides
 * (`--epochs 3`...), validated with core's RunConfigSchema BEFORE anything is written. Presets go through
 * core's `resolvePreset`, which records every override as `field=value` in the config's `overrides`
 * (that is how `table` later matches a run to a reference row). Every problem is a UsageError naming
 * the file/option and the bad field.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  ConfigError,
  parseRunConfig,
  presetNames,
  resolvePreset,
  type PresetOverrides,
  type RunConfig,
} from '@distillery/core';
import { UsageError } from '../errors.ts';

/** The override options `run` (and `prune`, `quickstart`) accept, already parsed to their types. */
export interface ConfigOverrides {
  name?: string;
  model?: string;
  data?: string;
  epochs?: number;
  img?: number;
  batch?: number;
  backend?: string;
  workers?: number;
  /** `null` = no initial weights (train from scratch). */
  weights?: string | null;
  seed?: number;
  optimizer?: string;
  augment?: boolean;
  ema?: boolean;
  prune?: Record<string, unknown>;
  strategies?: unknown[];
  /** Replaces the teacher of every distillation strategy (a run id or a checkpoint). */
  teacher?: string;
}

const looksLikeFile = (source: string) => /\.(ya?ml|json)$/i.test(source) || source.includes(path.sep) || fs.existsSync(source);

/** References that are resolved when the run starts, not files: `@preset:`, `@stage:`, `pretrained:`. */
export const isSymbolicRef = (value: string): boolean => /^(@preset:|@stage:|pretrained:)/.test(value);

function readConfigFile(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new UsageError(`${file}: config file not found`);
  let value: unknown;
  try {
    value = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${file}: a run config must be a mapping`);
  return value as Record<string, unknown>;
}

function unknownPreset(name: string, where: string): UsageError {
  return new UsageError(`${where}unknown preset "${name}" (known: ${presetNames().join(', ')})`);
}

const describeValue = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function asUsageError(error: unknown): unknown {
  return error instanceof ConfigError ? new UsageError(error.message) : error;
}

export function buildRunConfig(source: string | undefined, overrides: ConfigOverrides = {}): RunConfig {
  const changed = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as ConfigOverrides;
  let config: RunConfig;
  try {
    if (source !== undefined && !looksLikeFile(source)) {
      if (!presetNames().includes(source)) throw unknownPreset(source, '');
      config = resolvePreset(source, changed as PresetOverrides);
    } else if (source !== undefined) {
      const file = readConfigFile(source);
      if (typeof file['preset'] === 'string') {
        // A file may name a preset and change some of its fields: those count as overrides too.
        const { preset, overrides: _recorded, ...fields } = file;
        if (!presetNames().includes(preset as string)) throw unknownPreset(preset as string, `${source}: `);
        try {
          config = resolvePreset(preset as string, { ...(fields as PresetOverrides), ...(changed as PresetOverrides) });
        } catch (error) {
          if (error instanceof ConfigError) throw new UsageError(`${source}: ${error.message}`);
          throw error;
        }
      } else config = plainConfig({ ...file }, changed, source);
    } else config = plainConfig({}, changed, 'command line');
  } catch (error) {
    throw asUsageError(error);
  }
  checkPaths(config);
  return config;
}

/** A config without a preset: the file's fields, then the overrides, recorded as `field=value`. */
function plainConfig(base: Record<string, unknown>, changed: ConfigOverrides, origin: string): RunConfig {
  const { teacher, ...fields } = changed;
  const merged: Record<string, unknown> = { ...base, ...fields };
  for (const [k, v] of Object.entries(fields)) if (v === null) delete merged[k];
  const previous = Array.isArray(base['overrides']) ? (base['overrides'] as string[]) : [];
  const recorded = Object.entries(fields).map(([k, v]) => `${k}=${v === null ? 'none' : describeValue(v)}`);
  if (teacher !== undefined) {
    const strategies = Array.isArray(merged['strategies']) ? (merged['strategies'] as Array<Record<string, unknown>>) : [];
    if (!strategies.some((s) => s['kind'] === 'distill-output' || s['kind'] === 'distill-feature'))
      throw new UsageError(`${origin}: --teacher given but the config does not distil`);
    merged['strategies'] = strategies.map((s) => (s['kind'] === 'sparsity' ? s : { ...s, teacher }));
    recorded.push(`teacher=${teacher}`);
  }
  merged['overrides'] = [...new Set([...previous, ...recorded])];
  return parseRunConfig(merged, origin);
}

/** A data set, weights or teacher path that does not exist is bad input, caught before the run is stored. */
function checkPaths(config: RunConfig): void {
  if (config.data !== 'demo' && !fs.existsSync(config.data)) {
    const hint = config.data === 'voc' ? ' (the preset trains on Pascal VOC: point --data at its data-set YAML, or use --data demo)' : ' (give --data a data-set YAML, or "demo")';
    throw new UsageError(`data: "${config.data}" does not exist${hint}`);
  }
  const refs: Array<[string, string | undefined]> = [['weights', config.weights]];
  config.strategies.forEach((s, i) => {
    if ('teacher' in s) refs.push([`strategies.${i}.teacher`, s.teacher]);
  });
  for (const [field, ref] of refs) {
    // A run id has no slash or dot; anything that looks like a path must exist.
    if (ref && !isSymbolicRef(ref) && /[/\\.]/.test(ref) && !fs.existsSync(ref))
      throw new UsageError(`${field}: "${ref}" does not exist`);
  }
}

/** Parsers for commander options: a bad number is a UsageError naming the option. */
export function intOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new UsageError(`--${name}: "${value}" is not an integer`);
    return n;
  };
}
export function numberOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new UsageError(`--${name}: "${value}" is not a number`);
    return n;
  };
}
