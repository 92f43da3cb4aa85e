/**
 * The few facts of a run's config that the runs table filters and sorts by (model, data set, image
 * size, epochs, strategy). They are copied into real, indexed columns of `runs` when the run is
 * created; the config JSON stays the source of truth. The db knows nothing of core's schema, so this
 * reads the JSON defensively: a field that is missing or of the wrong type is null.
 *
 * The backfill migration (`drizzle/{sqlite,pg}/0003_backfill_run_facets.sql`) computes the same
 * values in SQL for runs created before the columns existed; a test keeps the two in step.
 */

export interface RunFacets {
  model: string | null;
  data: string | null;
  img: number | null;
  epochs: number | null;
  /**
   * `baseline` (no strategy, no pruning), else the strategies' kinds in config order (`distill-output`,
   * `distill-feature`, `sparsity`) followed by `prune` for a prune stage, joined by `+`.
   */
  strategy: string;
}

export const BASELINE_STRATEGY = 'baseline';
export const PRUNE_STRATEGY = 'prune';

function text(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function integer(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function strategyOf(config: Record<string, unknown>): string {
  const parts: string[] = [];
  if (Array.isArray(config.strategies))
    for (const s of config.strategies) {
      const kind = isObject(s) ? text(s.kind) : null;
      if (kind) parts.push(kind);
    }
  if (isObject(config.prune)) parts.push(PRUNE_STRATEGY);
  return parts.length > 0 ? parts.join('+') : BASELINE_STRATEGY;
}

export function runFacets(config: Record<string, unknown>): RunFacets {
  return {
    model: text(config.model),
    data: text(config.data),
    img: integer(config.img),
    epochs: integer(config.epochs),
    strategy: strategyOf(config),
  };
}
