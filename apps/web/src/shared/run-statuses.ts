/**
 * Run statuses for browser code. The list lives in @distillery/db, but importing that package's
 * values into a client component would pull the database drivers into the bundle; the `satisfies`
 * and the test in test/run-statuses.test.ts keep the two lists equal.
 */
import type { RunStatus } from '@distillery/db';

export const RUN_STATUS_LIST = ['queued', 'running', 'interrupted', 'failed', 'done'] as const satisfies readonly RunStatus[];
export const TERMINAL_STATUSES: readonly RunStatus[] = ['done', 'failed', 'interrupted'];
