/**
 * The WHERE and ORDER BY of `listRuns`, built once for both dialects: drizzle's operators and `sql`
 * templates are dialect-neutral, and both schemas give `runs` and `results` the same columns.
 */
import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type * as pg from '../schema/pg.ts';
import type * as sqlite from '../schema/sqlite.ts';
import { likePattern, type NormalizedQuery } from './normalize.ts';

type RunsTable = typeof sqlite.runs | typeof pg.runs;
type ResultsTable = typeof sqlite.results | typeof pg.results;

export interface RunListClauses {
  where: SQL | undefined;
  /** The sort column (nulls last either way), then the id as a stable tie-break for paging. */
  orderBy: SQL[];
}

export function runListClauses(runs: RunsTable, results: ResultsTable, q: NormalizedQuery): RunListClauses {
  const where: SQL[] = [];
  if (q.status) where.push(inArray(runs.status, q.status));
  if (q.preset) where.push(eq(runs.preset, q.preset));
  if (q.studyId) where.push(eq(runs.studyId, q.studyId));
  if (q.model !== null) where.push(eq(runs.model, q.model));
  if (q.data !== null) where.push(eq(runs.data, q.data));
  if (q.img !== null) where.push(eq(runs.img, q.img));
  if (q.epochs !== null) where.push(eq(runs.epochs, q.epochs));
  if (q.strategy !== null) where.push(eq(runs.strategy, q.strategy));
  if (q.search) {
    // The pattern escapes % and _ with a backslash; SQLite has no default escape character, so say it.
    const pattern = likePattern(q.search);
    where.push(
      or(
        sql`lower(${runs.name}) like ${pattern} escape '\\'`,
        sql`lower(coalesce(${runs.preset}, '')) like ${pattern} escape '\\'`,
        sql`${runs.id} like ${pattern} escape '\\'`,
      )!,
    );
  }
  const sortColumn = {
    createdAt: runs.createdAt,
    updatedAt: runs.updatedAt,
    name: runs.name,
    status: runs.status,
    preset: runs.preset,
    model: runs.model,
    data: runs.data,
    img: runs.img,
    epochs: runs.epochs,
    strategy: runs.strategy,
    lastEpoch: runs.lastEpoch,
    map50: results.map50,
    map5095: results.map5095,
    precision: results.precision,
    recall: results.recall,
    params: results.params,
    gmacs: results.gmacs,
  }[q.field];
  const ascending = q.dir === 'asc';
  return {
    where: where.length ? and(...where) : undefined,
    orderBy: [ascending ? sql`${sortColumn} asc nulls last` : sql`${sortColumn} desc nulls last`, ascending ? asc(runs.id) : desc(runs.id)],
  };
}
