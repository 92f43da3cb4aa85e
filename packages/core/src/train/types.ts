/**
 * Contract 5: the training entry point's types. `train(config, opts)` lives in `@distillery/core/node`
 * (it reads data sets and writes checkpoints); these types are isomorphic so the web app can use them.
 */
import type { RunConfig } from '../config/run-config.ts';
import type { SampleSource } from '../data/loader/sample-source.ts';
import type { Detector } from '../strategies/strategy.ts';

/** What the trainer stores per epoch. Losses are epoch means of upstream's `loss_items` (not ×bs). */
export interface EpochMetrics {
  epoch: number;
  lbox: number;
  lobj: number;
  lcls: number;
  /** Mean distillation term (already ×gain×bs, as added to the loss), when a distillation strategy is active. */
  ldistill?: number;
  /** Mean sparsity (BN-γ L1) term, when the sparsity strategy is active. */
  lsparsity?: number;
  /** Mean of lbox + lobj + lcls (upstream's `loss_items[3]` / bs). */
  total: number;
  /** Learning rate of the weight group (pg1) at the epoch's last iteration. */
  lr: number;
  precision: number;
  recall: number;
  map50: number;
  map5095: number;
  /** Training images per second over the epoch (forward + loss + backward + step, data wait included). */
  imagesPerSec: number;
  /** Wall-clock seconds of the epoch's training steps. */
  seconds: number;
}

/** Result of the last evaluation (of the EMA weights) plus the model's size at the eval image size. */
export interface FinalMetrics {
  precision: number;
  recall: number;
  map50: number;
  map5095: number;
  params: number;
  /** Fused thop-convention GMACs at `img`×`img` (NaN when the models package cannot count them). */
  gmacs: number;
  img: number;
}

export interface StepProgress {
  epoch: number;
  epochs: number;
  /** Batch index within the epoch (0-based) and the epoch's batch count. */
  step: number;
  stepsPerEpoch: number;
  /** Global iteration `ni` (upstream), across epochs. */
  iteration: number;
  /** Running means over the epoch so far (upstream's `mloss`). */
  lbox: number;
  lobj: number;
  lcls: number;
  total: number;
  /** Loss actually minimised on this batch (×bs, strategies' terms included). */
  loss: number;
  lr: number;
  /** Whether the optimiser stepped after this batch (`ni % accumulate == 0`). */
  optimizerStep: boolean;
  imagesPerSec: number;
  images: number;
}

export type ArtifactKind = 'checkpoint-last' | 'checkpoint-best' | 'pruned-model';

export interface ArtifactInfo {
  kind: ArtifactKind;
  path: string;
  bytes: number;
  sha256: string;
  /** The epoch a checkpoint belongs to; null for files made before training (a pruned model). */
  epoch: number | null;
}

/** Metrics an evaluator returns (yolov5 test.py's P, R, mAP@0.5, mAP@0.5:0.95). */
export interface EvalMetrics {
  precision: number;
  recall: number;
  map50: number;
  map5095: number;
}

/** A plain, structured-cloneable tensor (for worker pools). */
export interface PlainTensor {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

/**
 * Everything an out-of-thread evaluator needs: the model (config + EMA state dict, upstream keys,
 * tfjs layouts as `Module.stateDict()` gives them), the data set and the test.py settings.
 */
export interface EvalRequest {
  epoch: number;
  /** The run's `model` field (zoo name or YAML path) and the resolved model YAML text. */
  model: string;
  modelYaml: string;
  nc: number;
  weights: Map<string, PlainTensor>;
  data: string;
  datasetsDir?: string;
  img: number;
  batch: number;
  confThres: number;
  iouThres: number;
  /** train.py evaluates with fast NMS during the burn-in. */
  fast: boolean;
}

/** Evaluates EMA weights; the trainer injects one that runs in a pool, overlapping the next epoch. */
export type Evaluator = (request: EvalRequest) => Promise<EvalMetrics>;

export interface TrainOptions {
  /** Folder for checkpoints (`last.safetensors`, `best.safetensors`); created if missing. */
  runDir: string;
  /** A checkpoint written by `train` (e.g. `<runDir>/last.safetensors`): continue exactly from it. */
  resumeFrom?: string;
  /** Abort: the current step finishes, a checkpoint is written, and `train` returns 'interrupted'. */
  signal?: AbortSignal;
  onEpoch?(metrics: EpochMetrics): void | Promise<void>;
  onStep?(progress: StepProgress): void;
  onArtifact?(artifact: ArtifactInfo): void | Promise<void>;
  onLog?(line: string): void;
  /** Loads samples (e.g. a Piscina pool); default: in-thread. Passed to the data engineer's DataLoader. */
  sampleSource?: SampleSource;
  /**
   * Loads a distillation teacher by reference (run id, path...); default: the reference is a checkpoint
   * file written by `train` (its EMA weights).
   */
  loadTeacher?(ref: string): Promise<Detector>;
  /** Evaluates the EMA weights after each epoch; default: in-thread (blocking). */
  evaluator?: Evaluator;
  /** Where `data: 'demo'` is generated; default `$DISTILLERY_HOME/datasets` (or `~/.distillery/datasets`). */
  datasetsDir?: string;
  /** Bound the batches per epoch (benchmarks, tests); default: the whole split. */
  maxBatchesPerEpoch?: number;
  /**
   * Largest number of images in one backward pass; a larger batch (or replica share) is processed in
   * chunks whose gradients are summed. Default on wasm: what its ~2 GB heap survives at `img`
   * (2 images at 320²); elsewhere the whole batch.
   */
  microBatch?: number;
  /**
   * Minimum burn-in iterations (upstream: 1000, so the burn-in is max(3 epochs, 1000 iterations)).
   * Short demo runs lower it; otherwise a run of a few hundred steps never leaves the warm-up.
   */
  minWarmupIterations?: number;
  /** Bound the images evaluated per epoch (benchmarks, tests); default: the whole split. */
  maxEvalImages?: number;
  /**
   * Data-parallel replicas (WASM/CPU): overrides `config.workers` (0 = cores). 1 = single thread.
   * Replicas are worker threads started by `@distillery/core/node`.
   */
  workers?: number;
}

export interface TrainResult {
  status: 'done' | 'interrupted';
  final: FinalMetrics;
  /** Every epoch's metrics, in order (also delivered through `onEpoch`). */
  epochs: EpochMetrics[];
  /** Paths of the checkpoints written. */
  last?: string;
  best?: string;
}

export type TrainFunction = (config: RunConfig, opts: TrainOptions) => Promise<TrainResult>;
