/**
 * Everything a run needs to continue exactly where it stopped: the EMA weights (the model a
 * checkpoint stands for, as upstream saves `ema.ema`), the training weights, optimiser slots,
 * pending accumulated gradients, the position in the schedule and the RNG/data position.
 */
import type { OptimizerState } from '../optim/optimizer.ts';
import type { EpochMetrics, PlainTensor } from '../train/types.ts';

export const CHECKPOINT_FORMAT = 'distillery-train-checkpoint/1';

/** Where the loop stands, all plain JSON. */
export interface TrainingPosition {
  /** The epoch to run next, and the batch within it (0 at an epoch boundary). */
  epoch: number;
  batch: number;
  /** Global iteration `ni` of the next batch. */
  iteration: number;
  /** Batches per epoch when the checkpoint was written (the schedule depends on it). */
  batchesPerEpoch: number;
  emaUpdates: number;
  /** Backward passes summed in the pending gradient (`accum/*` tensors). */
  pendingBatches: number;
  bestFitness: number;
  /** The run seed; every random draw derives from (seed, epoch, batch), so this IS the RNG state. */
  seed: number;
  /** Running loss sums of the interrupted epoch (so its mean is exact after resume). */
  epochLossSums?: Record<string, number>;
  epochImages?: number;
  epochSeconds?: number;
  /** Training half of the last finished epoch's metrics while its evaluation is still pending. */
  pendingEpoch?: Omit<EpochMetrics, 'precision' | 'recall' | 'map50' | 'map5095'>;
  /** Metrics of the finished epochs. */
  history: EpochMetrics[];
}

export interface TrainingCheckpoint {
  /** EMA state dict (upstream keys, tfjs layouts). */
  ema: Map<string, PlainTensor>;
  /** Training model state dict. */
  model: Map<string, PlainTensor>;
  /** Extra trained modules (strategy converters), keyed `<module index>/<key>`. */
  extra: Map<string, PlainTensor>;
  optimizer: OptimizerState;
  pending: Map<string, { shape: number[]; data: Float32Array }>;
  position: TrainingPosition;
  /** The resolved run config (JSON) and model YAML, for humans and for `resume` without the original files. */
  config: unknown;
  modelYaml: string;
  nc: number;
  names?: string[];
  img: number;
}
