/**
 * The repository API: the one way the apps (trainer CLI, web dashboard) read and write runs.
 * SQLite and PostgreSQL implement the same `RunStore`; every timestamp is milliseconds since the epoch.
 */

export const RUN_STATUSES = ['queued', 'running', 'interrupted', 'failed', 'done'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface Run {
  id: string;
  name: string;
  preset: string | null;
  /** The full resolved RunConfig as JSON (validated with core's RunConfigSchema before writing). */
  config: Record<string, unknown>;
  /** Copied from `config` at creation (`runFacets`), for filtering and sorting; null when the config lacks them. */
  model: string | null;
  data: string | null;
  img: number | null;
  epochs: number | null;
  /** `baseline`, the strategies' kinds and `prune` joined by `+` (see `strategyOf`). */
  strategy: string;
  status: RunStatus;
  studyId: string | null;
  priority: number;
  createdBy: string | null;
  workerId: string | null;
  host: string | null;
  leaseUntil: number | null;
  heartbeatAt: number | null;
  /** How many times a worker has claimed this run (1 on first execution, +1 per resume). */
  attempts: number;
  progress: RunProgress | null;
  epochsPlanned: number;
  /** The last epoch recorded in `epochs` (0-based), null before the first. */
  lastEpoch: number | null;
  runDir: string | null;
  /** The newest checkpoint artifact's path: what `resume` continues from. */
  checkpoint: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** Live progress, written with each heartbeat (free-form beyond these fields). */
export interface RunProgress {
  epoch?: number;
  epochs?: number;
  step?: number;
  steps?: number;
  imagesPerSec?: number;
  etaSeconds?: number;
  [key: string]: unknown;
}

/** One row of `listRuns`: the run plus its final results (null until done). */
export interface RunSummary extends Omit<Run, 'config'> {
  result: FinalResult | null;
}

/** Per-epoch metrics, as core's `EpochMetrics` (contract 5). */
export interface EpochRecord {
  epoch: number;
  lbox: number;
  lobj: number;
  lcls: number;
  ldistill?: number | null;
  lsparsity?: number | null;
  total: number;
  lr: number;
  precision?: number | null;
  recall?: number | null;
  map50?: number | null;
  map5095?: number | null;
  imagesPerSec?: number | null;
  seconds?: number | null;
}

/** Final results, as core's `FinalMetrics` (contract 5): FLOPs are GMACs at the eval size `img`. */
export interface FinalResult {
  precision: number;
  recall: number;
  map50: number;
  map5095: number;
  params: number;
  /** null when they could not be counted (core reports NaN; written as null). */
  gmacs: number | null;
  img: number;
}

/** Artifact kinds that are the run's resume point. */
export const RESUME_CHECKPOINT_KINDS: readonly string[] = ['checkpoint', 'checkpoint-last'];

export interface ArtifactInput {
  /** e.g. `checkpoint-last`, `checkpoint-best`, `plot`. */
  kind: string;
  path: string;
  bytes: number;
  sha256: string;
  epoch?: number | null;
}
export interface Artifact extends Required<ArtifactInput> {
  id: number;
  runId: string;
  epoch: number | null;
  createdAt: number;
}

export interface NewRun {
  name: string;
  preset?: string | null;
  config: Record<string, unknown>;
  /** Defaults to `config.epochs` when that is a number. */
  epochsPlanned?: number;
  studyId?: string | null;
  priority?: number;
  createdBy?: string | null;
  /** Put it on the queue for `worker`s (default true). `false` = the caller executes it in the foreground
   *  (it should then `claimRun` it). */
  enqueue?: boolean;
}

export type RunSortField =
  | 'createdAt'
  | 'updatedAt'
  | 'name'
  | 'status'
  | 'preset'
  | 'model'
  | 'data'
  | 'img'
  | 'epochs'
  | 'strategy'
  | 'lastEpoch'
  | 'map50'
  | 'map5095'
  | 'precision'
  | 'recall'
  | 'params'
  | 'gmacs';
export const RUN_SORT_FIELDS: readonly RunSortField[] = [
  'createdAt',
  'updatedAt',
  'name',
  'status',
  'preset',
  'model',
  'data',
  'img',
  'epochs',
  'strategy',
  'lastEpoch',
  'map50',
  'map5095',
  'precision',
  'recall',
  'params',
  'gmacs',
];

export interface ListRunsQuery {
  /** 1-based. */
  page?: number;
  pageSize?: number;
  sort?: { field: RunSortField; dir?: 'asc' | 'desc' };
  filter?: {
    status?: RunStatus[];
    /** Case-insensitive substring of name, preset or id. */
    search?: string;
    preset?: string;
    studyId?: string;
    /** Exact values of the facet columns (each served by an index). */
    model?: string;
    data?: string;
    img?: number;
    epochs?: number;
    strategy?: string;
  };
}
export interface RunPage {
  rows: RunSummary[];
  total: number;
  page: number;
  pageSize: number;
}

/** A distinct value of a facet column and how many runs have it (most runs first). */
export interface FacetCount<T> {
  value: T;
  count: number;
}
/** The values the runs table can filter by (null values left out). */
export interface RunFacetValues {
  model: FacetCount<string>[];
  data: FacetCount<string>[];
  img: FacetCount<number>[];
  epochs: FacetCount<number>[];
  strategy: FacetCount<string>[];
}

export interface Study {
  id: string;
  name: string;
  kind: string | null;
  description: string | null;
  createdAt: number;
  stages: StudyStage[];
}
export interface StudyStage {
  position: number;
  name: string;
  preset: string | null;
  /** Names of earlier stages whose runs this one needs (e.g. the teacher). */
  dependsOn: string[];
  runId: string | null;
}
export interface NewStudy {
  name: string;
  kind?: string | null;
  description?: string | null;
  stages: Array<{ name: string; preset?: string | null; dependsOn?: string[]; runId?: string | null }>;
}

export interface ReferenceTable {
  key: string;
  title: string;
  source: string;
  columns: string[];
  rows: ReferenceRow[];
}
export interface ReferenceRow {
  label: string;
  preset: string | null;
  values: Record<string, number | string | null>;
}

/** A run another run depends on, and where it stands (null name/status: it was deleted). */
export interface RunDependency {
  runId: string;
  name: string | null;
  status: RunStatus | null;
  error: string | null;
}

export interface ClaimOptions {
  /** How long the lease lasts without a heartbeat. */
  leaseMs: number;
  host?: string;
}

export interface RunStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the SQLite file lives, or the redacted Postgres URL. */
  readonly location: string;

  /** Stores the run; its dependencies are the runs its config's `weights` and strategy `teacher`s
   *  name by id (see `dependencies`). */
  createRun(input: NewRun): Promise<Run>;
  getRun(id: string): Promise<Run | null>;
  listRuns(query?: ListRunsQuery): Promise<RunPage>;
  /** Distinct model / data / img / epochs / strategy values with their run counts (filter choices). */
  runFacetValues(): Promise<RunFacetValues>;
  /** Removes a run and everything that belongs to it (epochs, results, artifacts rows; not files).
   *  Its queued or interrupted dependents are marked failed, naming it. */
  deleteRun(id: string): Promise<boolean>;
  /** The runs this run depends on (derived from its config at creation), in id order. It is only
   *  claimed by `claimNextRun` once they are all `done`; the ones not done are why it is waiting. */
  dependencies(runId: string): Promise<RunDependency[]>;

  /**
   * Takes the next queued run for this worker (highest priority, oldest first), atomically: two workers
   * never get the same run. A run whose dependencies are not all `done` is skipped (it keeps its place);
   * one with a failed or deleted dependency is marked failed instead. Runs whose lease expired (worker gone) are first marked `interrupted` and
   * put back on the queue, so another worker resumes them from their last checkpoint.
   */
  claimNextRun(workerId: string, opts: ClaimOptions): Promise<Run | null>;
  /** Claims one specific run (foreground `run`/`resume`): only if it is queued or interrupted, or
   *  running with an expired lease. Removes it from the queue. */
  claimRun(runId: string, workerId: string, opts: ClaimOptions): Promise<Run | null>;
  /** Renews the lease; false when this worker no longer holds it (it must stop working on the run). */
  heartbeat(runId: string, workerId: string, leaseMs: number, progress?: RunProgress): Promise<boolean>;
  /** Marks running runs whose lease expired as interrupted and re-queues them; returns their ids. */
  reapExpiredLeases(): Promise<string[]>;
  /** Puts an interrupted/failed run back on the queue (status queued), for `resume` through workers. */
  enqueueRun(runId: string): Promise<Run>;

  /** Upserts by (run, epoch): a replayed epoch after a resume replaces, never duplicates. */
  recordEpoch(runId: string, metrics: EpochRecord): Promise<void>;
  /** Deletes epochs after `epoch` (metrics of work a crash lost, replaced when the run resumes). */
  discardEpochsAfter(runId: string, epoch: number): Promise<number>;
  epochs(runId: string): Promise<EpochRecord[]>;

  /** The worker finished the run: status done, final results stored, lease released. */
  finishRun(runId: string, workerId: string, result: FinalResult): Promise<void>;
  /** Marks the run failed; its queued or interrupted dependents (and theirs) fail too, naming it. */
  failRun(runId: string, workerId: string | null, error: string): Promise<void>;
  /** Stopped on request (signal) after a checkpoint: resumable, not re-queued automatically. */
  interruptRun(runId: string, workerId: string | null, reason?: string): Promise<void>;
  setRunDir(runId: string, runDir: string): Promise<void>;
  result(runId: string): Promise<FinalResult | null>;

  /** Records an artifact; kinds `checkpoint` and `checkpoint-last` also become the run's resume point
   *  (`Run.checkpoint`). */
  addArtifact(runId: string, artifact: ArtifactInput): Promise<Artifact>;
  artifacts(runId: string): Promise<Artifact[]>;

  createStudy(input: NewStudy): Promise<Study>;
  getStudy(id: string): Promise<Study | null>;
  listStudies(): Promise<Study[]>;
  linkStudyRun(studyId: string, stageName: string, runId: string): Promise<void>;

  upsertReferenceTable(table: ReferenceTable): Promise<void>;
  getReferenceTable(key: string): Promise<ReferenceTable | null>;
  listReferenceTables(): Promise<ReferenceTable[]>;

  close(): Promise<void>;
}
