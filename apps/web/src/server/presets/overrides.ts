/**
 * What the user changed in the launch form, as core's `PresetOverrides`, so the run is resolved by
 * core's `resolvePreset` exactly as the CLI would and records its overrides in core's words
 * (`img=320`, `hyp.lr0=0.02`) — the words the reference tables match runs by.
 */
import type { PresetOverrides, RunConfig } from '@distillery/core/config';

const BOOKKEEPING = new Set(['preset', 'overrides', 'hyp']);

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The fields of `edited` that differ from `base` (a removed optional field becomes `null`). */
export function overridesFromEdit(edited: RunConfig, base: RunConfig): PresetOverrides {
  const out: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(edited), ...Object.keys(base)]);
  for (const key of keys) {
    if (BOOKKEEPING.has(key)) continue;
    const a = (edited as Record<string, unknown>)[key];
    const b = (base as Record<string, unknown>)[key];
    if (same(a, b)) continue;
    out[key] = a === undefined ? null : a;
  }
  const hyp: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(edited.hyp)) if (!same(v, (base.hyp as Record<string, unknown>)[k])) hyp[k] = v;
  if (Object.keys(hyp).length > 0) out.hyp = hyp;
  return out as PresetOverrides;
}
