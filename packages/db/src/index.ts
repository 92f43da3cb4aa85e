// @distillery/db: the run database (drizzle-orm; SQLite by default, PostgreSQL for teams).
export { openDatabase, distilleryHome, isPostgresUrl, type OpenDatabaseOptions } from './open.ts';
export * from './store/types.ts';
export { LeaseLostError, RunStateError } from './store/errors.ts';
export { newId } from './store/ids.ts';
export { runFacets, strategyOf, BASELINE_STRATEGY, PRUNE_STRATEGY, type RunFacets } from './store/run-facets.ts';
export { finishedRunsOfPreset, type FinishedRun } from './store/finished-runs.ts';
export { pendingDependencies, queuedRunsWaitingFor } from './store/dependencies.ts';
