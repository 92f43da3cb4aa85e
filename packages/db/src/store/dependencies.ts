/**
 * Run dependencies: a run whose `weights` or a strategy's `teacher` is another run's id needs that run
 * `done` before it can start (its best checkpoint is resolved when training starts). Both dialects
 * derive them the same way at `createRun`, keep queued dependents off workers until every dependency is
 * done, and fail them (naming the dependency) when one fails or is deleted.
 */
import type { RunDependency, RunStatus, RunStore } from './types.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The config's run references that could be run ids: `weights` and every strategy's `teacher`.
 * The store keeps those that name an existing run (a checkpoint path or `pretrained:` never does).
 */
export function dependencyCandidates(config: Record<string, unknown>): string[] {
  const out = new Set<string>();
  if (typeof config.weights === 'string' && config.weights.length > 0) out.add(config.weights);
  if (Array.isArray(config.strategies))
    for (const s of config.strategies) if (isObject(s) && typeof s.teacher === 'string' && s.teacher.length > 0) out.add(s.teacher);
  return [...out];
}

/** Statuses of a dependent that has not finished and would need its dependencies again (a resume
 *  re-resolves them): these fail when a dependency fails or disappears. */
export const DEPENDENT_WAITING_STATUSES = ['queued', 'interrupted'] as const satisfies readonly RunStatus[];

/** The error a dependent gets, naming the dependency that will never hand it a checkpoint. */
export function dependencyError(dep: RunDependency): string {
  const who = dep.name ? `run ${dep.runId} (${dep.name})` : `run ${dep.runId}`;
  if (dep.status === null) return `dependency ${who} was deleted`;
  return `dependency ${who} failed${dep.error ? `: ${dep.error}` : ''}`;
}

/** A dependency that will never be done: fails its dependents. */
export const isBroken = (dep: RunDependency): boolean => dep.status === null || dep.status === 'failed';

/** Row of `run_dependencies left join runs` → `RunDependency`. */
export function toDependency(row: { runId: string; name: string | null; status: string | null; error: string | null }): RunDependency {
  return { runId: row.runId, name: row.name, status: row.status as RunStatus | null, error: row.status === null ? null : row.error };
}

/** The dependencies that are not `done` yet: what a queued run waits for (none: it waits for a worker). */
export function pendingDependencies(dependencies: readonly RunDependency[]): RunDependency[] {
  return dependencies.filter((d) => d.status !== 'done');
}

/**
 * What each queued run among `runs` waits for: its pending dependencies (an empty list means it only
 * waits for a free worker). Runs in other statuses are left out. One small query per queued run, so
 * callers pass a page of runs, not the whole table.
 */
export async function queuedRunsWaitingFor(
  store: Pick<RunStore, 'dependencies'>,
  runs: ReadonlyArray<{ id: string; status: RunStatus }>,
): Promise<Map<string, RunDependency[]>> {
  const queued = runs.filter((r) => r.status === 'queued');
  const pending = await Promise.all(queued.map(async (r) => pendingDependencies(await store.dependencies(r.id))));
  return new Map(queued.map((r, i) => [r.id, pending[i]!]));
}
