/**
 * `RunStore` on SQLite (better-sqlite3, WAL): the embedded single-machine database. Claims run inside
 * `BEGIN IMMEDIATE` transactions, so several worker processes on one machine never take the same run.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, lt, ne, notExists, or, sql } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from '../schema/sqlite.ts';
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

const { runs, epochs, results, artifacts, studies, studyStages, referenceTables, referenceRows, runQueue, runDependencies } = schema;
type Db = BetterSQLite3Database<typeof schema>;
type Tx = Pick<Db, 'select' | 'selectDistinct' | 'update' | 'insert' | 'delete'>;

export const SQLITE_MIGRATIONS = new URL('../../drizzle/sqlite', import.meta.url);

export function openSqliteStore(file: string): SqliteRunStore {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const db = drizzle(sqlite, { schema });
  migrateWithRetry(db);
  return new SqliteRunStore(sqlite, db, file);
}

/** Two processes opening a fresh file at once: the loser of the write lock retries after the winner. */
function migrateWithRetry(db: Db): void {
  for (let attempt = 0; ; attempt++) {
    try {
      migrate(db, { migrationsFolder: SQLITE_MIGRATIONS.pathname });
      return;
    } catch (error) {
      const busy = error instanceof Error && /SQLITE_BUSY|database is locked|already exists/i.test(error.message);
      if (!busy || attempt >= 20) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 + attempt * 25);
    }
  }
}

export class SqliteRunStore implements RunStore {
  readonly dialect = 'sqlite' as const;
  constructor(
    private readonly sqlite: Database.Database,
    private readonly db: Db,
    readonly location: string,
  ) {}

  private now(): number {
    return Date.now();
  }

  private getRunSync(id: string): Run | null {
    const row = this.db.select().from(runs).where(eq(runs.id, id)).get();
    return row ? toRun(row) : null;
  }

  async createRun(input: NewRun): Promise<Run> {
    const fields = newRunFields(input);
    const now = this.now();
    const id = newId(now);
    const candidates = dependencyCandidates(input.config);
    this.db.transaction((tx) => {
      tx.insert(runs)
        .values({ id, ...fields, status: 'queued', createdAt: now, updatedAt: now })
        .run();
      const deps = candidates.length ? tx.select({ id: runs.id }).from(runs).where(inArray(runs.id, candidates)).all() : [];
      for (const dep of deps) tx.insert(runDependencies).values({ runId: id, dependsOn: dep.id }).run();
      if (input.enqueue !== false)
        tx.insert(runQueue).values({ runId: id, priority: fields.priority, enqueuedAt: now }).run();
    });
    return this.getRunSync(id)!;
  }

  async getRun(id: string): Promise<Run | null> {
    return this.getRunSync(id);
  }

  async listRuns(query?: ListRunsQuery): Promise<RunPage> {
    const q = normalizeQuery(query);
    const { where: condition, orderBy } = runListClauses(runs, results, q);
    const { config: _config, ...summaryColumns } = getTableColumns(runs);
    const rows = this.db
      .select({ run: summaryColumns, result: results })
      .from(runs)
      .leftJoin(results, eq(results.runId, runs.id))
      .where(condition)
      .orderBy(...orderBy)
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .all();
    const totalRow = this.db
      .select({ n: sql<number>`count(*)` })
      .from(runs)
      .where(condition)
      .get();
    return {
      rows: rows.map((r) => toSummary(r.run, r.result)),
      total: Number(totalRow?.n ?? 0),
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  async runFacetValues(): Promise<RunFacetValues> {
    // Each a scan of the column's (facet, created_at) index.
    const counts = <T>(column: SQLiteColumn) =>
      facetCounts(
        this.db
          .select({ value: sql<T | null>`${column}`, count: sql<number>`count(*)` })
          .from(runs)
          .groupBy(column)
          .all(),
      );
    return {
      model: counts<string>(runs.model),
      data: counts<string>(runs.data),
      img: counts<number>(runs.img),
      epochs: counts<number>(runs.epochs),
      strategy: counts<string>(runs.strategy),
    };
  }

  async deleteRun(id: string): Promise<boolean> {
    return this.db.transaction(
      (tx) => {
        const deleted = tx.delete(runs).where(eq(runs.id, id)).run().changes > 0;
        if (deleted) this.failDependentsSync(tx, id, this.now());
        return deleted;
      },
      { behavior: 'immediate' },
    );
  }

  private dependenciesSync(tx: Tx, runId: string): RunDependency[] {
    return tx
      .select({ runId: runDependencies.dependsOn, name: runs.name, status: runs.status, error: runs.error })
      .from(runDependencies)
      .leftJoin(runs, eq(runs.id, runDependencies.dependsOn))
      .where(eq(runDependencies.runId, runId))
      .orderBy(asc(runDependencies.dependsOn))
      .all()
      .map(toDependency);
  }

  async dependencies(runId: string): Promise<RunDependency[]> {
    return this.dependenciesSync(this.db, runId);
  }

  /** Fails a run that waits for `dep` (and, in turn, the runs waiting for it). */
  private failWaitingSync(tx: Tx, runId: string, dep: RunDependency, now: number): void {
    const failed = tx
      .update(runs)
      .set({ status: 'failed', error: dependencyError(dep), leaseUntil: null, finishedAt: now, updatedAt: now })
      .where(and(eq(runs.id, runId), inArray(runs.status, [...DEPENDENT_WAITING_STATUSES])))
      .run();
    tx.delete(runQueue).where(eq(runQueue.runId, runId)).run();
    if (failed.changes > 0) this.failDependentsSync(tx, runId, now);
  }

  /** `runId` failed or was deleted: the runs waiting for it never get its checkpoint. */
  private failDependentsSync(tx: Tx, runId: string, now: number): void {
    const dependents = tx
      .select({ id: runDependencies.runId })
      .from(runDependencies)
      .where(eq(runDependencies.dependsOn, runId))
      .all();
    if (dependents.length === 0) return;
    const row = tx.select({ name: runs.name, status: runs.status, error: runs.error }).from(runs).where(eq(runs.id, runId)).get();
    const dep = toDependency({ runId, name: row?.name ?? null, status: row?.status ?? null, error: row?.error ?? null });
    if (!isBroken(dep)) return;
    for (const { id } of dependents) this.failWaitingSync(tx, id, dep, now);
  }

  /** Queued runs created after (or re-queued after) a dependency failed or vanished: fail them now. */
  private failBrokenQueuedSync(tx: Tx, now: number): void {
    const broken = tx
      .selectDistinct({ runId: runQueue.runId })
      .from(runQueue)
      .innerJoin(runDependencies, eq(runDependencies.runId, runQueue.runId))
      .leftJoin(runs, eq(runs.id, runDependencies.dependsOn))
      .where(or(isNull(runs.id), eq(runs.status, 'failed')))
      .all();
    for (const { runId } of broken) {
      const dep = this.dependenciesSync(tx, runId).find(isBroken);
      if (dep) this.failWaitingSync(tx, runId, dep, now);
    }
  }

  private reapSync(tx: Tx, now: number): string[] {
    const expired = tx
      .select({ id: runs.id, workerId: runs.workerId, priority: runs.priority })
      .from(runs)
      .where(and(eq(runs.status, 'running'), lt(runs.leaseUntil, now)))
      .all();
    for (const run of expired) {
      tx.update(runs)
        .set({
          status: 'interrupted',
          leaseUntil: null,
          error: `lease expired: worker ${run.workerId ?? '?'} stopped sending heartbeats`,
          updatedAt: now,
        })
        .where(and(eq(runs.id, run.id), eq(runs.status, 'running')))
        .run();
      tx.insert(runQueue)
        .values({ runId: run.id, priority: run.priority, enqueuedAt: now })
        .onConflictDoNothing()
        .run();
    }
    return expired.map((r) => r.id);
  }

  private claimFields(workerId: string, opts: ClaimOptions, now: number) {
    return {
      status: 'running' as const,
      workerId,
      host: opts.host ?? null,
      leaseUntil: now + opts.leaseMs,
      heartbeatAt: now,
      attempts: sql`${runs.attempts} + 1`,
      startedAt: sql`coalesce(${runs.startedAt}, ${now})`,
      finishedAt: null,
      error: null,
      updatedAt: now,
    };
  }

  async reapExpiredLeases(): Promise<string[]> {
    return this.db.transaction((tx) => this.reapSync(tx, this.now()), { behavior: 'immediate' });
  }

  async claimNextRun(workerId: string, opts: ClaimOptions): Promise<Run | null> {
    for (;;) {
      const outcome = this.db.transaction(
        (tx) => {
          const now = this.now();
          this.reapSync(tx, now);
          this.failBrokenQueuedSync(tx, now);
          // The queue order, leaving out runs with a dependency that is not done yet (they keep their place).
          const unfinishedDependency = tx
            .select({ one: sql`1` })
            .from(runDependencies)
            .leftJoin(runs, eq(runs.id, runDependencies.dependsOn))
            .where(and(eq(runDependencies.runId, runQueue.runId), or(isNull(runs.status), ne(runs.status, 'done'))));
          const next = tx
            .select({ runId: runQueue.runId })
            .from(runQueue)
            .where(notExists(unfinishedDependency))
            .orderBy(desc(runQueue.priority), asc(runQueue.enqueuedAt), asc(runQueue.runId))
            .limit(1)
            .get();
          if (!next) return { kind: 'empty' as const };
          tx.delete(runQueue).where(eq(runQueue.runId, next.runId)).run();
          const claimed = tx
            .update(runs)
            .set(this.claimFields(workerId, opts, now))
            .where(and(eq(runs.id, next.runId), inArray(runs.status, ['queued', 'interrupted'])))
            .run();
          return claimed.changes > 0 ? { kind: 'claimed' as const, id: next.runId } : { kind: 'dropped' as const };
        },
        { behavior: 'immediate' },
      );
      if (outcome.kind === 'empty') return null;
      if (outcome.kind === 'claimed') return this.getRunSync(outcome.id);
      // A queue row whose run was no longer claimable was dropped: look again.
    }
  }

  async claimRun(runId: string, workerId: string, opts: ClaimOptions): Promise<Run | null> {
    const ok = this.db.transaction(
      (tx) => {
        const now = this.now();
        this.reapSync(tx, now);
        const claimed = tx
          .update(runs)
          .set(this.claimFields(workerId, opts, now))
          .where(and(eq(runs.id, runId), inArray(runs.status, ['queued', 'interrupted', 'failed'])))
          .run();
        if (claimed.changes > 0) tx.delete(runQueue).where(eq(runQueue.runId, runId)).run();
        return claimed.changes > 0;
      },
      { behavior: 'immediate' },
    );
    return ok ? this.getRunSync(runId) : null;
  }

  async heartbeat(runId: string, workerId: string, leaseMs: number, progress?: RunProgress): Promise<boolean> {
    const now = this.now();
    const res = this.db
      .update(runs)
      .set({ leaseUntil: now + leaseMs, heartbeatAt: now, updatedAt: now, ...(progress ? { progress } : {}) })
      .where(and(eq(runs.id, runId), eq(runs.workerId, workerId), eq(runs.status, 'running')))
      .run();
    return res.changes > 0;
  }

  async enqueueRun(runId: string): Promise<Run> {
    this.db.transaction(
      (tx) => {
        const now = this.now();
        const run = tx.select().from(runs).where(eq(runs.id, runId)).get();
        if (!run) throw new RunStateError(`run ${runId} does not exist`);
        if (run.status === 'running' || run.status === 'done')
          throw new RunStateError(`run ${runId} is ${run.status}; only queued, interrupted or failed runs can be queued`);
        tx.update(runs).set({ status: 'queued', updatedAt: now }).where(eq(runs.id, runId)).run();
        tx.insert(runQueue).values({ runId, priority: run.priority, enqueuedAt: now }).onConflictDoNothing().run();
      },
      { behavior: 'immediate' },
    );
    return this.getRunSync(runId)!;
  }

  async recordEpoch(runId: string, metrics: EpochRecord): Promise<void> {
    const row = epochRow(runId, metrics, this.now());
    this.db.transaction((tx) => {
      const { runId: _r, epoch: _e, ...rest } = row;
      tx.insert(epochs)
        .values(row)
        .onConflictDoUpdate({ target: [epochs.runId, epochs.epoch], set: rest })
        .run();
      tx.update(runs)
        .set({ lastEpoch: sql`max(coalesce(${runs.lastEpoch}, -1), ${row.epoch})`, updatedAt: row.recordedAt })
        .where(eq(runs.id, runId))
        .run();
    });
  }

  async discardEpochsAfter(runId: string, epoch: number): Promise<number> {
    return this.db.transaction((tx) => {
      const n = tx
        .delete(epochs)
        .where(and(eq(epochs.runId, runId), gt(epochs.epoch, epoch)))
        .run().changes;
      const last = tx
        .select({ m: sql<number | null>`max(${epochs.epoch})` })
        .from(epochs)
        .where(eq(epochs.runId, runId))
        .get();
      tx.update(runs)
        .set({ lastEpoch: last?.m ?? null })
        .where(eq(runs.id, runId))
        .run();
      return n;
    });
  }

  async epochs(runId: string): Promise<EpochRecord[]> {
    return this.db
      .select()
      .from(epochs)
      .where(eq(epochs.runId, runId))
      .orderBy(asc(epochs.epoch))
      .all()
      .map(epochFromRow);
  }

  private ownerCondition(runId: string, workerId: string | null) {
    return workerId === null ? eq(runs.id, runId) : and(eq(runs.id, runId), eq(runs.workerId, workerId));
  }

  private endRun(
    runId: string,
    workerId: string | null,
    status: 'done' | 'failed' | 'interrupted',
    error: string | null,
    result?: FinalResult,
  ): void {
    this.db.transaction(
      (tx) => {
        const now = this.now();
        if (result)
          tx.insert(results)
            .values({ runId, ...result, recordedAt: now })
            .onConflictDoUpdate({ target: results.runId, set: { ...result, recordedAt: now } })
            .run();
        const res = tx
          .update(runs)
          .set({ status, error, leaseUntil: null, finishedAt: now, updatedAt: now })
          .where(this.ownerCondition(runId, workerId))
          .run();
        if (res.changes === 0) {
          if (workerId !== null) throw new LeaseLostError(runId, workerId);
          throw new RunStateError(`run ${runId} does not exist`);
        }
        tx.delete(runQueue).where(eq(runQueue.runId, runId)).run();
        if (status === 'failed') this.failDependentsSync(tx, runId, now);
      },
      { behavior: 'immediate' },
    );
  }

  async finishRun(runId: string, workerId: string, result: FinalResult): Promise<void> {
    this.endRun(runId, workerId, 'done', null, FinalResultSchema.parse(result));
  }

  async failRun(runId: string, workerId: string | null, error: string): Promise<void> {
    this.endRun(runId, workerId, 'failed', error);
  }

  async interruptRun(runId: string, workerId: string | null, reason?: string): Promise<void> {
    this.endRun(runId, workerId, 'interrupted', reason ?? null);
  }

  async setRunDir(runId: string, runDir: string): Promise<void> {
    this.db.update(runs).set({ runDir, updatedAt: this.now() }).where(eq(runs.id, runId)).run();
  }

  async result(runId: string): Promise<FinalResult | null> {
    const row = this.db.select().from(results).where(eq(results.runId, runId)).get();
    return row ? toResult(row) : null;
  }

  async addArtifact(runId: string, artifact: ArtifactInput): Promise<Artifact> {
    const now = this.now();
    const row = this.db.transaction((tx) => {
      const inserted = tx
        .insert(artifacts)
        .values({ runId, ...artifact, epoch: artifact.epoch ?? null, createdAt: now })
        .returning()
        .get();
      if (RESUME_CHECKPOINT_KINDS.includes(artifact.kind))
        tx.update(runs).set({ checkpoint: artifact.path, updatedAt: now }).where(eq(runs.id, runId)).run();
      return inserted;
    });
    return { ...row, createdAt: Number(row.createdAt) };
  }

  async artifacts(runId: string): Promise<Artifact[]> {
    return this.db
      .select()
      .from(artifacts)
      .where(eq(artifacts.runId, runId))
      .orderBy(asc(artifacts.id))
      .all()
      .map((row) => ({ ...row, createdAt: Number(row.createdAt) }));
  }

  async createStudy(input: NewStudy): Promise<Study> {
    const now = this.now();
    const id = newId(now);
    this.db.transaction((tx) => {
      tx.insert(studies)
        .values({ id, name: input.name, kind: input.kind ?? null, description: input.description ?? null, createdAt: now })
        .run();
      input.stages.forEach((stage, position) => {
        tx.insert(studyStages)
          .values({
            studyId: id,
            position,
            name: stage.name,
            preset: stage.preset ?? null,
            dependsOn: stage.dependsOn ?? [],
            runId: stage.runId ?? null,
          })
          .run();
        if (stage.runId) tx.update(runs).set({ studyId: id }).where(eq(runs.id, stage.runId)).run();
      });
    });
    return (await this.getStudy(id))!;
  }

  async getStudy(id: string): Promise<Study | null> {
    const study = this.db.select().from(studies).where(eq(studies.id, id)).get();
    if (!study) return null;
    const stages = this.db
      .select()
      .from(studyStages)
      .where(eq(studyStages.studyId, id))
      .orderBy(asc(studyStages.position))
      .all();
    return {
      ...study,
      createdAt: Number(study.createdAt),
      stages: stages.map(({ studyId: _s, ...stage }) => stage),
    };
  }

  async listStudies(): Promise<Study[]> {
    const ids = this.db.select({ id: studies.id }).from(studies).orderBy(desc(studies.createdAt)).all();
    const out: Study[] = [];
    for (const { id } of ids) out.push((await this.getStudy(id))!);
    return out;
  }

  async linkStudyRun(studyId: string, stageName: string, runId: string): Promise<void> {
    this.db.transaction((tx) => {
      const res = tx
        .update(studyStages)
        .set({ runId })
        .where(and(eq(studyStages.studyId, studyId), eq(studyStages.name, stageName)))
        .run();
      if (res.changes === 0) throw new RunStateError(`study ${studyId} has no stage "${stageName}"`);
      tx.update(runs).set({ studyId }).where(eq(runs.id, runId)).run();
    });
  }

  async upsertReferenceTable(table: ReferenceTable): Promise<void> {
    const now = this.now();
    this.db.transaction((tx) => {
      const { rows, ...head } = table;
      tx.insert(referenceTables)
        .values({ ...head, updatedAt: now })
        .onConflictDoUpdate({ target: referenceTables.key, set: { ...head, updatedAt: now } })
        .run();
      tx.delete(referenceRows).where(eq(referenceRows.tableKey, table.key)).run();
      rows.forEach((row, position) =>
        tx.insert(referenceRows)
          .values({ tableKey: table.key, position, label: row.label, preset: row.preset, values: row.values })
          .run(),
      );
    });
  }

  async getReferenceTable(key: string): Promise<ReferenceTable | null> {
    const head = this.db.select().from(referenceTables).where(eq(referenceTables.key, key)).get();
    if (!head) return null;
    const rows = this.db
      .select()
      .from(referenceRows)
      .where(eq(referenceRows.tableKey, key))
      .orderBy(asc(referenceRows.position))
      .all();
    return {
      key: head.key,
      title: head.title,
      source: head.source,
      columns: head.columns,
      rows: rows.map((r) => ({ label: r.label, preset: r.preset, values: r.values })),
    };
  }

  async listReferenceTables(): Promise<ReferenceTable[]> {
    const keys = this.db.select({ key: referenceTables.key }).from(referenceTables).orderBy(asc(referenceTables.key)).all();
    const out: ReferenceTable[] = [];
    for (const { key } of keys) out.push((await this.getReferenceTable(key))!);
    return out;
  }

  async close(): Promise<void> {
    if (this.sqlite.open) this.sqlite.close();
  }
}
