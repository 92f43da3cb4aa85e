/**
 * A preset's finished runs with what the reference-table matching needs (config, recorded overrides,
 * final result), best mAP@0.5 first — so "the first of equals" is the best run. Used by the trainer's
 * `table` command and the dashboard's results tables alike.
 */
import type { FinalResult, RunStore } from './types.ts';

export interface FinishedRun {
  id: string;
  name: string;
  preset: string;
  /** The config's `overrides` (`field=value` strings), as the run recorded them. */
  overrides: string[];
  config: Record<string, unknown>;
  result: FinalResult;
}

export async function finishedRunsOfPreset(store: RunStore, preset: string, limit: number): Promise<FinishedRun[]> {
  const page = await store.listRuns({ page: 1, pageSize: limit, filter: { preset, status: ['done'] }, sort: { field: 'map50', dir: 'desc' } });
  const out: FinishedRun[] = [];
  for (const row of page.rows) {
    if (!row.result) continue;
    const run = await store.getRun(row.id);
    if (!run) continue;
    const overrides = Array.isArray(run.config.overrides) ? run.config.overrides.filter((o): o is string => typeof o === 'string') : [];
    out.push({ id: run.id, name: run.name, preset, overrides, config: run.config, result: row.result });
  }
  return out;
}
