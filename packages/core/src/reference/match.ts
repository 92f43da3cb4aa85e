/** Finding the reproduced run that best matches a reference row, and the config that reproduces it. */
import type { RunConfig } from '../config/run-config.ts';
import { resolvePreset, type PresetOverrides } from '../presets/resolve-preset.ts';
import type { ReferenceRow, ReferenceTable } from './types.ts';
import { UPSTREAM_TABLES } from './upstream-tables.ts';

/** `["img=320", "model=x"]` → `{ img: 320, model: 'x' }` (values parsed as JSON where they are JSON). */
export function overridesFromStrings(list: readonly string[]): PresetOverrides {
  const out: Record<string, unknown> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`override '${item}' is not field=value`);
    const key = item.slice(0, eq);
    const raw = item.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    if (raw === 'none') value = null;
    if (key.startsWith('hyp.')) out.hyp = { ...(out.hyp as object), [key.slice(4)]: value };
    else out[key] = value;
  }
  return out as PresetOverrides;
}

/** The run config that reproduces a row (throws for rows of other projects). */
export function referenceRowConfig(row: ReferenceRow, extra: PresetOverrides = {}): RunConfig {
  if (!row.preset) throw new Error(`reference row '${row.label}' is not an experiment of this project`);
  return resolvePreset(row.preset, { ...overridesFromStrings(row.overrides ?? []), ...extra });
}

/** What a run tells about itself: the preset it came from and its recorded overrides. */
export interface RunIdentity {
  preset?: string;
  overrides: readonly string[];
}

/**
 * How well a run matches a row: undefined if the preset differs; otherwise higher is better:
 * +2 per override of the row the run shares, −1 per other deviation of the run (other data, fewer epochs...).
 * A row's overrides that the run lacks disqualify it (e.g. a conv-stem run for a Focus-stem row).
 */
export function matchScore(row: ReferenceRow, run: RunIdentity): number | undefined {
  if (!row.preset || row.preset !== run.preset) return undefined;
  const rowOverrides = new Set(row.overrides ?? []);
  let score = 0;
  for (const o of rowOverrides) {
    if (!run.overrides.includes(o)) return undefined;
    score += 2;
  }
  for (const o of run.overrides) if (!rowOverrides.has(o) && !o.startsWith('name=')) score -= 1;
  return score;
}

/** The best matching run for a row (first of equals), or undefined. */
export function bestMatchingRun<R extends RunIdentity>(row: ReferenceRow, runs: readonly R[]): R | undefined {
  let best: R | undefined;
  let bestScore = -Infinity;
  for (const run of runs) {
    const s = matchScore(row, run);
    if (s !== undefined && s > bestScore) {
      best = run;
      bestScore = s;
    }
  }
  return best;
}

export function referenceTable(id: string): ReferenceTable {
  const t = UPSTREAM_TABLES.find((x) => x.id === id);
  if (!t)
    throw new Error(
      `unknown reference table '${id}' (known: ${UPSTREAM_TABLES.map((x) => x.id).join(', ')})`,
    );
  return t;
}

/** Every row (of every table) a run could reproduce. */
export function rowsForRun(run: RunIdentity): Array<{ table: ReferenceTable; row: ReferenceRow }> {
  return UPSTREAM_TABLES.flatMap((table) =>
    table.rows.filter((row) => matchScore(row, run) !== undefined).map((row) => ({ table, row })),
  );
}
