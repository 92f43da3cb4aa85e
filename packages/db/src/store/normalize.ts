/**
 * Row ↔ API mapping shared by both dialects (their tables have the same columns), and input checks
 * done before anything is written.
 */
import { z } from 'zod';
import type { EpochRecord, FacetCount, FinalResult, ListRunsQuery, NewRun, Run, RunProgress, RunStatus, RunSummary } from './types.ts';
import { RUN_SORT_FIELDS, RUN_STATUSES } from './types.ts';
import type { runs, results } from '../schema/sqlite.ts';
import { BASELINE_STRATEGY, runFacets } from './run-facets.ts';

export type RunRow = typeof runs.$inferSelect;
export type ResultRow = typeof results.$inferSelect;

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    name: row.name,
    preset: row.preset,
    config: row.config,
    model: row.model,
    data: row.data,
    img: row.img,
    epochs: row.epochs,
    strategy: row.strategy ?? BASELINE_STRATEGY,
    status: row.status as RunStatus,
    studyId: row.studyId,
    priority: row.priority,
    createdBy: row.createdBy,
    workerId: row.workerId,
    host: row.host,
    leaseUntil: row.leaseUntil,
    heartbeatAt: row.heartbeatAt,
    attempts: row.attempts,
    progress: (row.progress as RunProgress | null) ?? null,
    epochsPlanned: row.epochsPlanned,
    lastEpoch: row.lastEpoch,
    runDir: row.runDir,
    checkpoint: row.checkpoint,
    error: row.error,
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
    startedAt: row.startedAt === null ? null : Number(row.startedAt),
    finishedAt: row.finishedAt === null ? null : Number(row.finishedAt),
  };
}

export function toSummary(row: Omit<RunRow, 'config'>, result: ResultRow | null): RunSummary {
  const { config: _config, ...run } = toRun({ ...row, config: {} });
  return { ...run, result: result && result.runId !== null ? toResult(result) : null };
}

export function toResult(row: ResultRow): FinalResult {
  return {
    precision: row.precision,
    recall: row.recall,
    map50: row.map50,
    map5095: row.map5095,
    params: Number(row.params),
    gmacs: row.gmacs,
    img: row.img,
  };
}

const finite = z.number().finite();
const optionalFinite = finite.nullish();

export const EpochRecordSchema = z.object({
  epoch: z.number().int().min(0),
  lbox: finite,
  lobj: finite,
  lcls: finite,
  ldistill: optionalFinite,
  lsparsity: optionalFinite,
  total: finite,
  lr: finite,
  precision: optionalFinite,
  recall: optionalFinite,
  map50: optionalFinite,
  map5095: optionalFinite,
  imagesPerSec: optionalFinite,
  seconds: optionalFinite,
});

export const FinalResultSchema = z.object({
  precision: finite,
  recall: finite,
  map50: finite,
  map5095: finite,
  params: z.number().int().min(0),
  gmacs: z.preprocess((v) => (typeof v === 'number' && Number.isNaN(v) ? null : v), finite.min(0).nullable()),
  img: z.number().int().positive(),
});

/** Fills the nullable epoch fields so both dialects insert the same row. */
export function epochRow(runId: string, input: EpochRecord, now: number) {
  const m = EpochRecordSchema.parse(input);
  return {
    runId,
    epoch: m.epoch,
    lbox: m.lbox,
    lobj: m.lobj,
    lcls: m.lcls,
    ldistill: m.ldistill ?? null,
    lsparsity: m.lsparsity ?? null,
    total: m.total,
    lr: m.lr,
    precision: m.precision ?? null,
    recall: m.recall ?? null,
    map50: m.map50 ?? null,
    map5095: m.map5095 ?? null,
    imagesPerSec: m.imagesPerSec ?? null,
    seconds: m.seconds ?? null,
    recordedAt: now,
  };
}

export function epochFromRow(row: ReturnType<typeof epochRow>): EpochRecord {
  const { runId: _runId, recordedAt: _recordedAt, ...rest } = row;
  return rest;
}

export function newRunFields(input: NewRun) {
  const name = input.name.trim();
  if (!name) throw new Error('createRun: name must not be empty');
  const fromConfig = input.config['epochs'];
  const epochsPlanned = input.epochsPlanned ?? (typeof fromConfig === 'number' ? fromConfig : 0);
  return {
    name,
    preset: input.preset ?? null,
    config: input.config,
    ...runFacets(input.config),
    studyId: input.studyId ?? null,
    priority: input.priority ?? 0,
    createdBy: input.createdBy ?? null,
    epochsPlanned,
  };
}

export interface NormalizedQuery {
  page: number;
  pageSize: number;
  field: (typeof RUN_SORT_FIELDS)[number];
  dir: 'asc' | 'desc';
  status: RunStatus[] | null;
  search: string | null;
  preset: string | null;
  studyId: string | null;
  model: string | null;
  data: string | null;
  img: number | null;
  epochs: number | null;
  strategy: string | null;
}

export function normalizeQuery(query: ListRunsQuery = {}): NormalizedQuery {
  const page = Math.max(1, Math.floor(query.page ?? 1));
  const pageSize = Math.min(500, Math.max(1, Math.floor(query.pageSize ?? 50)));
  const field = query.sort?.field ?? 'createdAt';
  if (!RUN_SORT_FIELDS.includes(field)) throw new Error(`listRuns: unknown sort field "${field}"`);
  const status = query.filter?.status?.length ? query.filter.status : null;
  for (const s of status ?? []) if (!RUN_STATUSES.includes(s)) throw new Error(`listRuns: unknown status "${s}"`);
  const search = query.filter?.search?.trim() ? query.filter.search.trim().toLowerCase() : null;
  return {
    page,
    pageSize,
    field,
    dir: query.sort?.dir ?? 'desc',
    status,
    search,
    preset: query.filter?.preset ?? null,
    studyId: query.filter?.studyId ?? null,
    model: query.filter?.model ?? null,
    data: query.filter?.data ?? null,
    img: query.filter?.img ?? null,
    epochs: query.filter?.epochs ?? null,
    strategy: query.filter?.strategy ?? null,
  };
}

/** `%` and `_` in a user's search text are literal characters. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Group-by rows of one facet column → its choices, most runs first (counts are bigint strings on PostgreSQL). */
export function facetCounts<T>(rows: Array<{ value: T | null; count: number | string }>): FacetCount<T>[] {
  return rows
    .filter((r): r is { value: T; count: number | string } => r.value !== null)
    .map((r) => ({ value: r.value, count: Number(r.count) }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}
