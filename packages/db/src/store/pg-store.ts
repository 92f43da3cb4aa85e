/**
 * `RunStore` on PostgreSQL: team mode. The queue is pg-boss (its own `pgboss` schema): a queued run is
 * one pg-boss job; a worker fetches a job (SKIP LOCKED: one worker per job) and then takes the run with a
 * conditional UPDATE, so even a duplicated or retried job can never start a run twice. While running,
 * the worker's lease on the `runs` row is renewed by heartbeats (database clock, so machines' clocks
 * need not agree); a lease that expires makes the run `interrupted` and sends it back to pg-boss, and
 * the next worker resumes it from its last checkpoint.
 */
import { and, asc, desc, eq, getTableColumns, gt, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type { PgColumn } from 'drizzle-orm/pg-core';
import PgBoss from 'pg-boss';
import postgres from 'postgres';
import * as schema from '../schema/pg.ts';
import { LeaseLostError, RunStateError } from './errors.ts';
import { newId } from './ids.ts';
import {
  epochFromRow,
  epochRow,
  FinalResultSchema,
  facetCounts,
  likePattern,
  newRunFields,
  normalizeQuery,
  toResult,
  toRun,
  toSummary,
  type RunRow,
} from './normalize.ts';
import type {
  Artifact,
  ArtifactInput,
  ClaimOptions,
  EpochRecord,
  FinalResult,
  ListRunsQuery,
  NewRun,
  NewStudy,
  ReferenceTable,
  Run,
  RunPage,
  RunFacetValues,
  RunProgress,
  RunStore,
  Study,
} from './types.ts';
import { RESUME_CHECKPOINT_KINDS } from './types.ts';

const { runs, epochs, results, artifacts, studies, studyStages, referenceTables, referenceRows } = schema;
type Db = PostgresJsDatabase<typeof schema>;
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export const PG_MIGRATIONS = new URL('../../drizzle/pg', import.meta.url);
export const RUN_QUEUE = 'distillery-runs';
/** Any number; all Distillery processes agree on it so that only one migrates at a time. */
const MIGRATION_LOCK = 7_341_112;

/** Milliseconds since the epoch by the database's clock. */
const dbNow = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export async function openPostgresStore(url: string): Promise<PostgresRunStore> {
  const quiet = { onnotice: () => {} };
  const migrator = postgres(url, { max: 1, ...quiet });
  try {
    await migrator`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(migrator), { migrationsFolder: PG_MIGRATIONS.pathname });
    await migrator`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await migrator.end();
  }
  const client = postgres(url, { max: 4, ...quiet });
  const db = drizzle(client, { schema });
  const boss = new PgBoss({ connectionString: url, max: 2, application_name: 'distillery' });
  boss.on('error', (error: Error) => process.emitWarning(`pg-boss: ${error.message}`));
  await boss.start();
  if (!(await boss.getQueue(RUN_QUEUE))) {
    try {
      await boss.createQueue(RUN_QUEUE, { name: RUN_QUEUE, retryLimit: 1000, expireInSeconds: 120 });
    } catch (error) {
      // Another process created it between our look and our create.
      if (!(await boss.getQueue(RUN_QUEUE))) throw error;
    }
  }
  return new PostgresRunStore(client, db, boss, redact(url));
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export class PostgresRunStore implements RunStore {
  readonly dialect = 'postgres' as const;
  constructor(
    private readonly client: postgres.Sql,
    private readonly db: Db,
    private readonly boss: PgBoss,
    readonly location: string,
  ) {}

  private async send(runId: string, priority: number): Promise<void> {
    await this.boss.send(RUN_QUEUE, { runId }, { priority });
  }

  async createRun(input: NewRun): Promise<Run> {
    const fields = newRunFields(input);
    const now = Date.now();
    const id = newId(now);
    const [row] = await this.db
      .insert(runs)
      .values({ id, ...fields, status: 'queued', createdAt: now, updatedAt: now })
      .returning();
    // After the insert: a worker that gets the job must find the run.
    if (input.enqueue !== false) await this.send(id, fields.priority);
    return toRun(row as RunRow);
  }

  async getRun(id: string): Promise<Run | null> {
    const [row] = await this.db.select().from(runs).where(eq(runs.id, id));
    return row ? toRun(row as RunRow) : null;
  }

  async listRuns(query?: ListRunsQuery): Promise<RunPage> {
    const q = normalizeQuery(query);
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
      const pattern = likePattern(q.search);
      where.push(
        or(
          sql`lower(${runs.name}) like ${pattern}`,
          sql`lower(coalesce(${runs.preset}, '')) like ${pattern}`,
          sql`${runs.id} like ${pattern}`,
        )!,
      );
    }
    const condition = where.length ? and(...where) : undefined;
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
    const order = q.dir === 'asc' ? sql`${sortColumn} asc nulls last` : sql`${sortColumn} desc nulls last`;
    const { config: _config, ...summaryColumns } = getTableColumns(runs);
    const [rows, [count]] = await Promise.all([
      this.db
        .select({ run: summaryColumns, result: results })
        .from(runs)
        .leftJoin(results, eq(results.runId, runs.id))
        .where(condition)
        .orderBy(order, q.dir === 'asc' ? asc(runs.id) : desc(runs.id))
        .limit(q.pageSize)
        .offset((q.page - 1) * q.pageSize),
      this.db.select({ n: sql<number>`count(*)::int` }).from(runs).where(condition),
    ]);
    return {
      rows: rows.map((r) => toSummary(r.run as Omit<RunRow, 'config'>, r.result)),
      total: Number(count?.n ?? 0),
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  async runFacetValues(): Promise<RunFacetValues> {
    // Each a scan of the column's (facet, created_at) index.
    const counts = <T>(column: PgColumn) =>
      this.db
        .select({ value: sql<T | null>`${column}`, count: sql<string>`count(*)` })
        .from(runs)
        .groupBy(column)
        .then((rows) => facetCounts(rows));
    const [model, data, img, epochs, strategy] = await Promise.all([
      counts<string>(runs.model),
      counts<string>(runs.data),
      counts<number>(runs.img),
      counts<number>(runs.epochs),
      counts<string>(runs.strategy),
    ]);
    return { model, data, img, epochs, strategy };
  }

  async deleteRun(id: string): Promise<boolean> {
    const deleted = await this.db.delete(runs).where(eq(runs.id, id)).returning({ id: runs.id });
    return deleted.length > 0;
  }

  async reapExpiredLeases(): Promise<string[]> {
    // One UPDATE: when several workers reap at once, each expired run is returned to exactly one of them.
    const reaped = await this.db
      .update(runs)
      .set({
        status: 'interrupted',
        leaseUntil: null,
        error: sql`'lease expired: worker ' || coalesce(${runs.workerId}, '?') || ' stopped sending heartbeats'`,
        updatedAt: dbNow,
      })
      .where(and(eq(runs.status, 'running'), lt(runs.leaseUntil, dbNow)))
      .returning({ id: runs.id, priority: runs.priority });
    for (const run of reaped) await this.send(run.id, run.priority);
    return reaped.map((r) => r.id);
  }

  private claimFields(workerId: string, opts: ClaimOptions) {
    return {
      status: 'running' as const,
      workerId,
      host: opts.host ?? null,
      leaseUntil: sql`${dbNow} + ${opts.leaseMs}`,
      heartbeatAt: dbNow,
      attempts: sql`${runs.attempts} + 1`,
      startedAt: sql`coalesce(${runs.startedAt}, ${dbNow})`,
      finishedAt: null,
      error: null,
      updatedAt: dbNow,
    };
  }

  async claimNextRun(workerId: string, opts: ClaimOptions): Promise<Run | null> {
    await this.reapExpiredLeases();
    for (;;) {
      const [job] = await this.boss.fetch<{ runId: string }>(RUN_QUEUE, { batchSize: 1, priority: true });
      if (!job) return null;
      const [row] = await this.db
        .update(runs)
        .set(this.claimFields(workerId, opts))
        .where(and(eq(runs.id, job.data.runId), inArray(runs.status, ['queued', 'interrupted'])))
        .returning();
      // The lease on the row governs from here; the job has done its work either way.
      await this.boss.complete(RUN_QUEUE, job.id);
      if (row) return toRun(row as RunRow);
    }
  }

  async claimRun(runId: string, workerId: string, opts: ClaimOptions): Promise<Run | null> {
    await this.reapExpiredLeases();
    const [row] = await this.db
      .update(runs)
      .set(this.claimFields(workerId, opts))
      .where(and(eq(runs.id, runId), inArray(runs.status, ['queued', 'interrupted', 'failed'])))
      .returning();
    // A pg-boss job for it may still be queued: whoever fetches it finds the run taken and drops it.
    return row ? toRun(row as RunRow) : null;
  }

  async heartbeat(runId: string, workerId: string, leaseMs: number, progress?: RunProgress): Promise<boolean> {
    const updated = await this.db
      .update(runs)
      .set({ leaseUntil: sql`${dbNow} + ${leaseMs}`, heartbeatAt: dbNow, updatedAt: dbNow, ...(progress ? { progress } : {}) })
      .where(and(eq(runs.id, runId), eq(runs.workerId, workerId), eq(runs.status, 'running')))
      .returning({ id: runs.id });
    return updated.length > 0;
  }

  async enqueueRun(runId: string): Promise<Run> {
    const [row] = await this.db
      .update(runs)
      .set({ status: 'queued', updatedAt: Date.now() })
      .where(and(eq(runs.id, runId), inArray(runs.status, ['queued', 'interrupted', 'failed'])))
      .returning();
    if (!row) {
      const run = await this.getRun(runId);
      if (!run) throw new RunStateError(`run ${runId} does not exist`);
      throw new RunStateError(`run ${runId} is ${run.status}; only queued, interrupted or failed runs can be queued`);
    }
    await this.send(runId, row.priority);
    return toRun(row as RunRow);
  }

  async recordEpoch(runId: string, metrics: EpochRecord): Promise<void> {
    const row = epochRow(runId, metrics, Date.now());
    const { runId: _r, epoch: _e, ...rest } = row;
    await this.db.transaction(async (tx) => {
      await tx.insert(epochs).values(row).onConflictDoUpdate({ target: [epochs.runId, epochs.epoch], set: rest });
      await tx
        .update(runs)
        .set({ lastEpoch: sql`greatest(coalesce(${runs.lastEpoch}, -1), ${row.epoch})`, updatedAt: row.recordedAt })
        .where(eq(runs.id, runId));
    });
  }

  async discardEpochsAfter(runId: string, epoch: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const deleted = await tx
        .delete(epochs)
        .where(and(eq(epochs.runId, runId), gt(epochs.epoch, epoch)))
        .returning({ epoch: epochs.epoch });
      const [last] = await tx
        .select({ m: sql<number | null>`max(${epochs.epoch})` })
        .from(epochs)
        .where(eq(epochs.runId, runId));
      await tx
        .update(runs)
        .set({ lastEpoch: last?.m ?? null })
        .where(eq(runs.id, runId));
      return deleted.length;
    });
  }

  async epochs(runId: string): Promise<EpochRecord[]> {
    const rows = await this.db.select().from(epochs).where(eq(epochs.runId, runId)).orderBy(asc(epochs.epoch));
    return rows.map((r) => epochFromRow({ ...r, recordedAt: Number(r.recordedAt) }));
  }

  private async endRun(
    runId: string,
    workerId: string | null,
    status: 'done' | 'failed' | 'interrupted',
    error: string | null,
    result?: FinalResult,
  ): Promise<void> {
    await this.db.transaction(async (tx: Tx) => {
      const now = Date.now();
      const owner = workerId === null ? eq(runs.id, runId) : and(eq(runs.id, runId), eq(runs.workerId, workerId));
      const updated = await tx
        .update(runs)
        .set({ status, error, leaseUntil: null, finishedAt: now, updatedAt: now })
        .where(owner)
        .returning({ id: runs.id });
      if (updated.length === 0) {
        if (workerId !== null) throw new LeaseLostError(runId, workerId);
        throw new RunStateError(`run ${runId} does not exist`);
      }
      if (result)
        await tx
          .insert(results)
          .values({ runId, ...result, recordedAt: now })
          .onConflictDoUpdate({ target: results.runId, set: { ...result, recordedAt: now } });
    });
  }

  async finishRun(runId: string, workerId: string, result: FinalResult): Promise<void> {
    await this.endRun(runId, workerId, 'done', null, FinalResultSchema.parse(result));
  }

  async failRun(runId: string, workerId: string | null, error: string): Promise<void> {
    await this.endRun(runId, workerId, 'failed', error);
  }

  async interruptRun(runId: string, workerId: string | null, reason?: string): Promise<void> {
    await this.endRun(runId, workerId, 'interrupted', reason ?? null);
  }

  async setRunDir(runId: string, runDir: string): Promise<void> {
    await this.db.update(runs).set({ runDir, updatedAt: Date.now() }).where(eq(runs.id, runId));
  }

  async result(runId: string): Promise<FinalResult | null> {
    const [row] = await this.db.select().from(results).where(eq(results.runId, runId));
    return row ? toResult(row) : null;
  }

  async addArtifact(runId: string, artifact: ArtifactInput): Promise<Artifact> {
    const now = Date.now();
    const row = await this.db.transaction(async (tx) => {
      const [inserted] = await tx
        .insert(artifacts)
        .values({ runId, ...artifact, epoch: artifact.epoch ?? null, createdAt: now })
        .returning();
      if (RESUME_CHECKPOINT_KINDS.includes(artifact.kind))
        await tx.update(runs).set({ checkpoint: artifact.path, updatedAt: now }).where(eq(runs.id, runId));
      return inserted;
    });
    return { ...row, bytes: Number(row.bytes), createdAt: Number(row.createdAt) };
  }

  async artifacts(runId: string): Promise<Artifact[]> {
    const rows = await this.db.select().from(artifacts).where(eq(artifacts.runId, runId)).orderBy(asc(artifacts.id));
    return rows.map((row) => ({ ...row, bytes: Number(row.bytes), createdAt: Number(row.createdAt) }));
  }

  async createStudy(input: NewStudy): Promise<Study> {
    const now = Date.now();
    const id = newId(now);
    await this.db.transaction(async (tx) => {
      await tx
        .insert(studies)
        .values({ id, name: input.name, kind: input.kind ?? null, description: input.description ?? null, createdAt: now });
      for (const [position, stage] of input.stages.entries()) {
        await tx.insert(studyStages).values({
          studyId: id,
          position,
          name: stage.name,
          preset: stage.preset ?? null,
          dependsOn: stage.dependsOn ?? [],
          runId: stage.runId ?? null,
        });
        if (stage.runId) await tx.update(runs).set({ studyId: id }).where(eq(runs.id, stage.runId));
      }
    });
    return (await this.getStudy(id))!;
  }

  async getStudy(id: string): Promise<Study | null> {
    const [study] = await this.db.select().from(studies).where(eq(studies.id, id));
    if (!study) return null;
    const stages = await this.db
      .select()
      .from(studyStages)
      .where(eq(studyStages.studyId, id))
      .orderBy(asc(studyStages.position));
    return { ...study, createdAt: Number(study.createdAt), stages: stages.map(({ studyId: _s, ...stage }) => stage) };
  }

  async listStudies(): Promise<Study[]> {
    const ids = await this.db.select({ id: studies.id }).from(studies).orderBy(desc(studies.createdAt));
    const out: Study[] = [];
    for (const { id } of ids) out.push((await this.getStudy(id))!);
    return out;
  }

  async linkStudyRun(studyId: string, stageName: string, runId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const updated = await tx
        .update(studyStages)
        .set({ runId })
        .where(and(eq(studyStages.studyId, studyId), eq(studyStages.name, stageName)))
        .returning({ name: studyStages.name });
      if (updated.length === 0) throw new RunStateError(`study ${studyId} has no stage "${stageName}"`);
      await tx.update(runs).set({ studyId }).where(eq(runs.id, runId));
    });
  }

  async upsertReferenceTable(table: ReferenceTable): Promise<void> {
    const now = Date.now();
    const { rows, ...head } = table;
    await this.db.transaction(async (tx) => {
      await tx
        .insert(referenceTables)
        .values({ ...head, updatedAt: now })
        .onConflictDoUpdate({ target: referenceTables.key, set: { ...head, updatedAt: now } });
      await tx.delete(referenceRows).where(eq(referenceRows.tableKey, table.key));
      for (const [position, row] of rows.entries())
        await tx
          .insert(referenceRows)
          .values({ tableKey: table.key, position, label: row.label, preset: row.preset, values: row.values });
    });
  }

  async getReferenceTable(key: string): Promise<ReferenceTable | null> {
    const [head] = await this.db.select().from(referenceTables).where(eq(referenceTables.key, key));
    if (!head) return null;
    const rows = await this.db
      .select()
      .from(referenceRows)
      .where(eq(referenceRows.tableKey, key))
      .orderBy(asc(referenceRows.position));
    return {
      key: head.key,
      title: head.title,
      source: head.source,
      columns: head.columns,
      rows: rows.map((r) => ({ label: r.label, preset: r.preset, values: r.values })),
    };
  }

  async listReferenceTables(): Promise<ReferenceTable[]> {
    const keys = await this.db.select({ key: referenceTables.key }).from(referenceTables).orderBy(asc(referenceTables.key));
    const out: ReferenceTable[] = [];
    for (const { key } of keys) out.push((await this.getReferenceTable(key))!);
    return out;
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true });
    await this.client.end({ timeout: 5 });
  }
}
