/**
 * A run's config from the command line: a preset name or a YAML/JSON file, then overrides
 * (`--epochs 3`...), validated with core's RunConfigSchema BEFORE anything is written. Every problem
 * is a UsageError naming the file/option and the bad field.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigError, parseRunConfig, type RunConfig } from '@distillery/core';
import { UsageError } from '../errors.ts';
import { findPreset, listPresetNames } from './presets.ts';

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
  weights?: string;
  seed?: number;
  optimizer?: string;
  augment?: boolean;
  ema?: boolean;
  prune?: Record<string, unknown>;
  strategies?: unknown[];
}

const looksLikeFile = (source: string) => /\.(ya?ml|json)$/i.test(source) || source.includes(path.sep) || fs.existsSync(source);

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

function presetOrThrow(name: string, where: string): Record<string, unknown> {
  const preset = findPreset(name);
  if (preset) return { ...preset };
  const known = listPresetNames();
  throw new UsageError(
    `${where}unknown preset "${name}"${known.length ? ` (known: ${known.join(', ')})` : ' (no presets are available yet; pass a config file)'}`,
  );
}

export function buildRunConfig(source: string | undefined, overrides: ConfigOverrides = {}): RunConfig {
  let base: Record<string, unknown> = {};
  let origin = 'command line';
  if (source !== undefined) {
    if (looksLikeFile(source)) {
      origin = source;
      const file = readConfigFile(source);
      // A file may name a preset to start from, and change some of its fields.
      const preset = typeof file['preset'] === 'string' ? presetOrThrow(file['preset'], `${source}: `) : {};
      base = { ...preset, ...file, hyp: { ...(preset['hyp'] as object), ...(file['hyp'] as object) } };
      if (!file['hyp'] && !preset['hyp']) delete base['hyp'];
    } else {
      origin = `preset ${source}`;
      base = { ...presetOrThrow(source, ''), preset: source };
    }
  }
  const changed = Object.entries(overrides).filter(([, v]) => v !== undefined);
  const merged: Record<string, unknown> = { ...base, ...Object.fromEntries(changed) };
  const previous = Array.isArray(base['overrides']) ? (base['overrides'] as string[]) : [];
  merged['overrides'] = [...new Set([...previous, ...changed.map(([k]) => k)])];
  let config: RunConfig;
  try {
    config = parseRunConfig(merged, origin);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  checkPaths(config);
  return config;
}

/** A data set or weights path that does not exist is bad input, caught before the run is stored. */
function checkPaths(config: RunConfig): void {
  if (config.data !== 'demo' && !fs.existsSync(config.data))
    throw new UsageError(`data: "${config.data}" does not exist (give a data-set YAML or "demo")`);
  const weights = config.weights;
  // A run id has no slash or dot; anything that looks like a path must exist.
  if (weights && /[/\\.]/.test(weights) && !fs.existsSync(weights))
    throw new UsageError(`weights: "${weights}" does not exist`);
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
