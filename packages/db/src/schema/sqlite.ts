/**
 * The run database, SQLite dialect (embedded default). Plain tables; `pg.ts` holds the same tables
 * for PostgreSQL with the same column names, so the repository maps rows of both the same way.
 * Timestamps are milliseconds since the epoch (numbers) in both dialects: one representation all the
 * way to the dashboard.
 */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    preset: text('preset'),
    /** Copied from `config` at creation (see store/run-facets.ts) so the runs table filters and sorts by them. */
    model: text('model'),
    data: text('data'),
    img: integer('img'),
    epochs: integer('epochs'),
    strategy: text('strategy'),
    /** The full resolved RunConfig (zod-validated before it is written). */
    config: text('config', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    status: text('status', { enum: ['queued', 'running', 'interrupted', 'failed', 'done'] }).notNull(),
    studyId: text('study_id'),
    priority: integer('priority').notNull().default(0),
    createdBy: text('created_by'),
    /** The worker holding the lease (`host:pid:n`), and its host. */
    workerId: text('worker_id'),
    host: text('host'),
    leaseUntil: integer('lease_until'),
    heartbeatAt: integer('heartbeat_at'),
    attempts: integer('attempts').notNull().default(0),
    /** Live progress (epoch, step, images/s...) written with each heartbeat, for dashboards. */
    progress: text('progress', { mode: 'json' }).$type<Record<string, unknown>>(),
    epochsPlanned: integer('epochs_planned').notNull(),
    lastEpoch: integer('last_epoch'),
    runDir: text('run_dir'),
    checkpoint: text('checkpoint'),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [
    index('runs_status_idx').on(t.status),
    index('runs_created_idx').on(t.createdAt),
    index('runs_name_idx').on(t.name),
    index('runs_preset_idx').on(t.preset),
    index('runs_study_idx').on(t.studyId),
    index('runs_updated_idx').on(t.updatedAt),
    // Facet + creation time: a filtered page in the default order (newest first) is an index range scan.
    index('runs_model_idx').on(t.model, t.createdAt),
    index('runs_data_idx').on(t.data, t.createdAt),
    index('runs_img_idx').on(t.img, t.createdAt),
    index('runs_epochs_idx').on(t.epochs, t.createdAt),
    index('runs_strategy_idx').on(t.strategy, t.createdAt),
  ],
);

export const epochs = sqliteTable(
  'epochs',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    epoch: integer('epoch').notNull(),
    lbox: real('lbox').notNull(),
    lobj: real('lobj').notNull(),
    lcls: real('lcls').notNull(),
    ldistill: real('ldistill'),
    lsparsity: real('lsparsity'),
    total: real('total').notNull(),
    lr: real('lr').notNull(),
    precision: real('precision'),
    recall: real('recall'),
    map50: real('map50'),
    map5095: real('map5095'),
    imagesPerSec: real('images_per_sec'),
    seconds: real('seconds'),
    recordedAt: integer('recorded_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.epoch] })],
);

export const results = sqliteTable(
  'results',
  {
    runId: text('run_id')
      .primaryKey()
      .references(() => runs.id, { onDelete: 'cascade' }),
    precision: real('precision').notNull(),
    recall: real('recall').notNull(),
    map50: real('map50').notNull(),
    map5095: real('map5095').notNull(),
    params: integer('params').notNull(),
    gmacs: real('gmacs'),
    img: integer('img').notNull(),
    recordedAt: integer('recorded_at').notNull(),
  },
  (t) => [index('results_map50_idx').on(t.map50), index('results_map5095_idx').on(t.map5095)],
);

export const artifacts = sqliteTable(
  'artifacts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    path: text('path').notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    epoch: integer('epoch'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('artifacts_run_idx').on(t.runId, t.kind)],
);

export const studies = sqliteTable(
  'studies',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind'),
    description: text('description'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('studies_created_idx').on(t.createdAt)],
);

/** One step of a study (teacher, student, prune, fine-tune...), linked to the run that executes it. */
export const studyStages = sqliteTable(
  'study_stages',
  {
    studyId: text('study_id')
      .notNull()
      .references(() => studies.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    preset: text('preset'),
    dependsOn: text('depends_on', { mode: 'json' }).notNull().$type<string[]>(),
    runId: text('run_id').references(() => runs.id, { onDelete: 'set null' }),
  },
  (t) => [primaryKey({ columns: [t.studyId, t.position] }), uniqueIndex('study_stages_name_idx').on(t.studyId, t.name)],
);

/** The upstream project's published results tables, as data with their source. */
export const referenceTables = sqliteTable('reference_tables', {
  key: text('key').primaryKey(),
  title: text('title').notNull(),
  source: text('source').notNull(),
  columns: text('columns', { mode: 'json' }).notNull().$type<string[]>(),
  updatedAt: integer('updated_at').notNull(),
});

export const referenceRows = sqliteTable(
  'reference_rows',
  {
    tableKey: text('table_key')
      .notNull()
      .references(() => referenceTables.key, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    label: text('label').notNull(),
    preset: text('preset'),
    values: text('values', { mode: 'json' }).notNull().$type<Record<string, number | string | null>>(),
  },
  (t) => [primaryKey({ columns: [t.tableKey, t.position] })],
);

/** SQLite's queue: one row per run waiting for a worker; claimed (deleted) inside a write transaction. */
export const runQueue = sqliteTable(
  'run_queue',
  {
    runId: text('run_id')
      .primaryKey()
      .references(() => runs.id, { onDelete: 'cascade' }),
    priority: integer('priority').notNull().default(0),
    enqueuedAt: integer('enqueued_at').notNull(),
  },
  (t) => [index('run_queue_order_idx').on(t.priority, t.enqueuedAt)],
);


/**
 * The runs a run needs before it can start (its `weights` or a strategy's `teacher` is that run's id),
 * derived from the config at creation. `depends_on` has no foreign key on purpose: a dependency that
 * was deleted stays visible as missing, and its dependents fail instead of starting without it.
 */
export const runDependencies = sqliteTable(
  'run_dependencies',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    dependsOn: text('depends_on').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.dependsOn] }), index('run_dependencies_depends_on_idx').on(t.dependsOn)],
);
