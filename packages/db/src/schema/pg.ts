/**
 * The run database, PostgreSQL dialect (team mode). The same tables and column names as `sqlite.ts`;
 * timestamps are bigint milliseconds (numbers), JSON is jsonb. There is no queue table here: the
 * team queue is pg-boss (its own schema), and leases live on `runs` as in SQLite.
 */
import { bigint, doublePrecision, index, integer, jsonb, pgTable, primaryKey, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';

export const runs = pgTable(
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
    config: jsonb('config').notNull().$type<Record<string, unknown>>(),
    status: text('status', { enum: ['queued', 'running', 'interrupted', 'failed', 'done'] }).notNull(),
    studyId: text('study_id'),
    priority: integer('priority').notNull().default(0),
    createdBy: text('created_by'),
    /** The worker holding the lease (`host:pid:n`), and its host. */
    workerId: text('worker_id'),
    host: text('host'),
    leaseUntil: bigint('lease_until', { mode: 'number' }),
    heartbeatAt: bigint('heartbeat_at', { mode: 'number' }),
    attempts: integer('attempts').notNull().default(0),
    /** Live progress (epoch, step, images/s...) written with each heartbeat, for dashboards. */
    progress: jsonb('progress').$type<Record<string, unknown>>(),
    epochsPlanned: integer('epochs_planned').notNull(),
    lastEpoch: integer('last_epoch'),
    runDir: text('run_dir'),
    checkpoint: text('checkpoint'),
    error: text('error'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
    startedAt: bigint('started_at', { mode: 'number' }),
    finishedAt: bigint('finished_at', { mode: 'number' }),
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

export const epochs = pgTable(
  'epochs',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    epoch: integer('epoch').notNull(),
    lbox: doublePrecision('lbox').notNull(),
    lobj: doublePrecision('lobj').notNull(),
    lcls: doublePrecision('lcls').notNull(),
    ldistill: doublePrecision('ldistill'),
    lsparsity: doublePrecision('lsparsity'),
    total: doublePrecision('total').notNull(),
    lr: doublePrecision('lr').notNull(),
    precision: doublePrecision('precision'),
    recall: doublePrecision('recall'),
    map50: doublePrecision('map50'),
    map5095: doublePrecision('map5095'),
    imagesPerSec: doublePrecision('images_per_sec'),
    seconds: doublePrecision('seconds'),
    recordedAt: bigint('recorded_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.epoch] })],
);

export const results = pgTable(
  'results',
  {
    runId: text('run_id')
      .primaryKey()
      .references(() => runs.id, { onDelete: 'cascade' }),
    precision: doublePrecision('precision').notNull(),
    recall: doublePrecision('recall').notNull(),
    map50: doublePrecision('map50').notNull(),
    map5095: doublePrecision('map5095').notNull(),
    params: bigint('params', { mode: 'number' }).notNull(),
    gmacs: doublePrecision('gmacs'),
    img: integer('img').notNull(),
    recordedAt: bigint('recorded_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('results_map50_idx').on(t.map50), index('results_map5095_idx').on(t.map5095)],
);

export const artifacts = pgTable(
  'artifacts',
  {
    id: serial('id').primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    path: text('path').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    epoch: integer('epoch'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('artifacts_run_idx').on(t.runId, t.kind)],
);

export const studies = pgTable(
  'studies',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind'),
    description: text('description'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('studies_created_idx').on(t.createdAt)],
);

/** One step of a study (teacher, student, prune, fine-tune...), linked to the run that executes it. */
export const studyStages = pgTable(
  'study_stages',
  {
    studyId: text('study_id')
      .notNull()
      .references(() => studies.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    preset: text('preset'),
    dependsOn: jsonb('depends_on').notNull().$type<string[]>(),
    runId: text('run_id').references(() => runs.id, { onDelete: 'set null' }),
  },
  (t) => [primaryKey({ columns: [t.studyId, t.position] }), uniqueIndex('study_stages_name_idx').on(t.studyId, t.name)],
);

/** The upstream project's published results tables, as data with their source. */
export const referenceTables = pgTable('reference_tables', {
  key: text('key').primaryKey(),
  title: text('title').notNull(),
  source: text('source').notNull(),
  columns: jsonb('columns').notNull().$type<string[]>(),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
});

export const referenceRows = pgTable(
  'reference_rows',
  {
    tableKey: text('table_key')
      .notNull()
      .references(() => referenceTables.key, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    label: text('label').notNull(),
    preset: text('preset'),
    values: jsonb('values').notNull().$type<Record<string, number | string | null>>(),
  },
  (t) => [primaryKey({ columns: [t.tableKey, t.position] })],
);

/**
 * The runs a run needs before it can start (its `weights` or a strategy's `teacher` is that run's id),
 * derived from the config at creation. `depends_on` has no foreign key on purpose: a dependency that
 * was deleted stays visible as missing, and its dependents fail instead of starting without it.
 */
export const runDependencies = pgTable(
  'run_dependencies',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    dependsOn: text('depends_on').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.dependsOn] }), index('run_dependencies_depends_on_idx').on(t.dependsOn)],
);
