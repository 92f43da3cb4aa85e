/**
 * `RunStore` on PostgreSQL: team mode. The queue is pg-boss (its own `pgboss` schema): a queued run is
 * one pg-boss job; a worker fetches a job (SKIP LOCKED: one worker per job) and then takes the run with a
 * conditional UPDATE, so even a duplicated or retried job can never start a run twice. While running,
 * the worker's lease on the `runs` row is renewed by heartbeats (database clock, so machines' clocks
 * need not agree); a lease that expires makes the run `interrupted` and sends it back to pg-boss, and
 * the next worker resumes it from its last checkpoint.
 */
import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, lt, ne, notExists, or, sql } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { alias, type PgColumn } from 'drizzle-orm/pg-core';
import PgBoss from 'pg-boss';
import postgres from 'postgres';
import * as schema from '../schema/pg.ts';
import { dependencyCandidates, dependencyError, DEPENDENT_WAITING_STATUSES, isBroken, toDependency } from './dependencies.ts';
import { LeaseLostError, RunStateError } from './errors.ts';
import { newId } from './ids.ts';
import { runListClauses } from './run-list-query.ts';
import {
  epochFromRow,
  epochRow,
  FinalResultSchema,
  facetCounts,
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
  RunDependency,
  RunProgress,
  RunStore,
  Study,
} from './types.ts';
import { RESUME_CHECKPOINT_KINDS } from './types.ts';

const { runs, epochs, results, artifacts, studies, studyStages, referenceTables, referenceRows, runDependencies } = schema;
type Db = PostgresJsDatabase<typeof schema>;
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Executor = Db | Tx;

/** A run's pg-boss job. `attempts` is the run's claim count when the job was sent: once the run has been
 *  claimed since, the job is stale and dropped (so the extra jobs below can never start a run twice, nor
 *  restart one that was interrupted on purpose). Jobs without it (older) are not checked. */
interface RunJob {
  runId: string;
  attempts?: number;
}

/**
 * A fetched job whose run still waits for a dependency goes back on the queue, to be looked at again
 * after this delay. It is only the fallback: a run that finishes sends its now-ready dependents a job
 * at once (see finishRun).
 */
export const DEPENDENCY_RECHECK_SECONDS = 30;

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

  private async send(runId: string, priority: number, attempts: number, startAfterSeconds?: number): Promise<void> {
    const job: RunJob = { runId, attempts };
    await this.boss.send(RUN_QUEUE, job, { priority, ...(startAfterSeconds ? { startAfter: startAfterSeconds } : {}) });
  }

  async createRun(input: NewRun): Promise<Run> {
    const fields = newRunFields(input);
    const now = Date.now();
    const id = newId(now);
    const candidates = dependencyCandidates(input.config);
    const row = await this.db.transaction(async (tx) => {
      const [inserted] = await tx
        .insert(runs)
        .values({ id, ...fields, status: 'queued', createdAt: now, updatedAt: now })
        .returning();
      const deps = candidates.length ? await tx.select({ id: runs.id }).from(runs).where(inArray(runs.id, candidates)) : [];
      if (deps.length) await tx.insert(runDependencies).values(deps.map((d) => ({ runId: id, dependsOn: d.id })));
      return inserted;
    });
    // After the commit: a worker that gets the job must find the run.
    if (input.enqueue !== false) await this.send(id, fields.priority, 0);
    return toRun(row as RunRow);
  }

  async getRun(id: string): Promise<Run | null> {
    const [row] = await this.db.select().from(runs).where(eq(runs.id, id));
    return row ? toRun(row as RunRow) : null;
  }

  async listRuns(query?: ListRunsQuery): Promise<RunPage> {
    const q = normalizeQuery(query);
    const { where: condition, orderBy } = runListClauses(runs, results, q);
    const { config: _config, ...summaryColumns } = getTableColumns(runs);
    const [rows, [count]] = await Promise.all([
      this.db
        .select({ run: summaryColumns, result: results })
        .from(runs)
        .leftJoin(results, eq(results.runId, runs.id))
        .where(condition)
        .orderBy(...orderBy)
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
    return this.db.transaction(async (tx) => {
      const deleted = await tx.delete(runs).where(eq(runs.id, id)).returning({ id: runs.id });
      if (deleted.length > 0) await this.failDependents(tx, id);
      return deleted.length > 0;
    });
  }

  private async dependenciesOf(db: Executor, runId: string): Promise<RunDependency[]> {
    const rows = await db
      .select({ runId: runDependencies.dependsOn, name: runs.name, status: runs.status, error: runs.error })
      .from(runDependencies)
      .leftJoin(runs, eq(runs.id, runDependencies.dependsOn))
      .where(eq(runDependencies.runId, runId))
      .orderBy(asc(runDependencies.dependsOn));
    return rows.map(toDependency);
  }

  async dependencies(runId: string): Promise<RunDependency[]> {
    return this.dependenciesOf(this.db, runId);
  }

  /** Fails a run that waits for `dep` (and, in turn, the runs waiting for it). */
  private async failWaiting(tx: Tx, runId: string, dep: RunDependency): Promise<void> {
    const now = Date.now();
    const failed = await tx
      .update(runs)
      .set({ status: 'failed', error: dependencyError(dep), leaseUntil: null, finishedAt: now, updatedAt: now })
      .where(and(eq(runs.id, runId), inArray(runs.status, [...DEPENDENT_WAITING_STATUSES])))
      .returning({ id: runs.id });
    // Its pg-boss job, if any, finds it failed and is dropped.
    if (failed.length > 0) await this.failDependents(tx, runId);
  }

  /** `runId` failed or was deleted: the runs waiting for it never get its checkpoint. */
  private async failDependents(tx: Tx, runId: string): Promise<void> {
    const dependents = await tx.select({ id: runDependencies.runId }).from(runDependencies).where(eq(runDependencies.dependsOn, runId));
    if (dependents.length === 0) return;
    const [row] = await tx.select({ name: runs.name, status: runs.status, error: runs.error }).from(runs).where(eq(runs.id, runId));
    const dep = toDependency({ runId, name: row?.name ?? null, status: row?.status ?? null, error: row?.error ?? null });
    if (!isBroken(dep)) return;
    for (const { id } of dependents) await this.failWaiting(tx, id, dep);
  }

  /** Queued dependents of a run that just finished whose dependencies are now all done get a job at once. */
  private async wakeDependents(runId: string): Promise<void> {
    const ready = await this.db
      .select({ id: runs.id, priority: runs.priority, attempts: runs.attempts })
      .from(runDependencies)
      .innerJoin(runs, eq(runs.id, runDependencies.runId))
      .where(and(eq(runDependencies.dependsOn, runId), eq(runs.status, 'queued'), notExists(this.unfinishedDependencyOf(runs.id))));
    for (const run of ready) await this.send(run.id, run.priority, run.attempts);
  }

  /** Rows when one of the run's dependencies is not done (or gone); correlated on `runId`. */
  private unfinishedDependencyOf(runId: typeof runs.id) {
    const dep = alias(runs, 'dep');
    return this.db
      .select({ one: sql`1` })
      .from(runDependencies)
      .leftJoin(dep, eq(dep.id, runDependencies.dependsOn))
      .where(and(eq(runDependencies.runId, runId), or(isNull(dep.status), ne(dep.status, 'done'))));
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
      .returning({ id: runs.id, priority: runs.priority, attempts: runs.attempts });
    for (const run of reaped) await this.send(run.id, run.priority, run.attempts);
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
      const [job] = await this.boss.fetch<RunJob>(RUN_QUEUE, { batchSize: 1, priority: true });
      if (!job) return null;
      const { runId, attempts } = job.data;
      const fresh = typeof attempts === 'number' ? eq(runs.attempts, attempts) : undefined;
      const deps = await this.dependenciesOf(this.db, runId);
      const broken = deps.find(isBroken);
      if (broken) {
        await this.db.transaction((tx) => this.failWaiting(tx, runId, broken));
      } else if (deps.some((d) => d.status !== 'done')) {
        // Not ready: a new job, looked at again later, before this one is completed (never lost; a
        // duplicate is harmless, see RunJob). Skipping it leaves the other runs' order unchanged.
        const [run] = await this.db
          .select({ priority: runs.priority })
          .from(runs)
          .where(and(eq(runs.id, runId), eq(runs.status, 'queued'), fresh));
        if (run) await this.send(runId, run.priority, attempts ?? 0, DEPENDENCY_RECHECK_SECONDS);
      } else {
        const [row] = await this.db
          .update(runs)
          .set(this.claimFields(workerId, opts))
          .where(
            and(eq(runs.id, runId), inArray(runs.status, ['queued', 'interrupted']), fresh, notExists(this.unfinishedDependencyOf(runs.id))),
          )
          .returning();
        // The lease on the row governs from here; the job has done its work either way.
        await this.boss.complete(RUN_QUEUE, job.id);
        if (row) return toRun(row as RunRow);
        continue;
      }
      await this.boss.complete(RUN_QUEUE, job.id);
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
    await this.send(runId, row.priority, row.attempts);
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
      if (status === 'failed') await this.failDependents(tx, runId);
    });
    if (status === 'done') await this.wakeDependents(runId);
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
