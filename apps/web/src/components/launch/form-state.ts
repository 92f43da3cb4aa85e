/**
 * The launch form keeps every leaf field as the text the user typed (so "abc" in a number field is
 * reported by the schema rather than silently dropped), and builds the config object from it.
 */
import { RunConfigSchema, type RunConfig } from '@distillery/core/config';
import type { z } from 'zod';
import { fieldsOf, getAt, issuesByPath, setAt, type FieldSpec } from '~/components/launch/schema-fields.ts';

export type FieldValues = Record<string, string | boolean>;

export const RUN_FIELDS: FieldSpec[] = fieldsOf(RunConfigSchema as unknown as z.AnyZodObject).filter(
  // Bookkeeping fields the form fills in itself.
  (f) => !['preset', 'overrides'].includes(f.path[0] ?? ''),
);

export function leaves(fields: FieldSpec[]): Exclude<FieldSpec, { kind: 'group' }>[] {
  return fields.flatMap((f) => (f.kind === 'group' ? leaves(f.fields) : [f]));
}

/** Text of each field for a config (defaults filled in). */
export function valuesFromConfig(config: unknown): FieldValues {
  const out: FieldValues = {};
  for (const f of leaves(RUN_FIELDS)) {
    const v = getAt(config, f.path);
    const key = f.path.join('.');
    if (f.kind === 'boolean') out[key] = v === true;
    else if (f.kind === 'json') out[key] = v === undefined ? '' : JSON.stringify(v);
    else out[key] = v === undefined || v === null ? '' : String(v);
  }
  return out;
}

function coerceNumber(text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

export interface BuiltConfig {
  input: Record<string, unknown>;
  /** Errors that happen before the schema runs (unparseable JSON). */
  parseErrors: Record<string, string[]>;
}

export function buildInput(values: FieldValues): BuiltConfig {
  let input: Record<string, unknown> = {};
  const parseErrors: Record<string, string[]> = {};
  for (const f of leaves(RUN_FIELDS)) {
    const key = f.path.join('.');
    const raw = values[key];
    let v: unknown;
    if (f.kind === 'boolean') v = raw === true;
    else if (typeof raw !== 'string' || raw.trim() === '') v = undefined;
    else if (f.kind === 'number') v = coerceNumber(raw);
    else if (f.kind === 'json') {
      try {
        v = JSON.parse(raw);
      } catch (e) {
        parseErrors[key] = [`not valid JSON (${(e as Error).message})`];
        continue;
      }
    } else v = raw;
    if (v !== undefined) input = setAt(input, f.path, v);
  }
  return { input, parseErrors };
}

export type Validation = { ok: true; config: RunConfig } | { ok: false; errors: Record<string, string[]> };

/**
 * Validates the form against the trainer's own schema. The server re-resolves the preset with the
 * changed fields as overrides (see server/presets/overrides.ts), as the CLI does.
 */
export function validateForm(values: FieldValues): Validation {
  const { input, parseErrors } = buildInput(values);
  const result = RunConfigSchema.safeParse(input);
  if (!result.success || Object.keys(parseErrors).length > 0) {
    return { ok: false, errors: { ...(result.success ? {} : issuesByPath(result.error)), ...parseErrors } };
  }
  return { ok: true, config: result.data };
}
