/**
 * `nn.BatchNorm2d` over the channel (last) axis. Upstream's `initialize_weights` sets eps 1e-4 and
 * momentum 0.03 on every BN of the model. Training mode normalises with the biased batch variance and
 * updates the running variance with the unbiased one (`·n/(n−1)`, n = N·H·W), as PyTorch does.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from '../nn/module.ts';
import { numel, type Profiler, type Shape4 } from '../flops/profiler.ts';

export const YOLO_BN = Object.freeze({ eps: 1e-4, momentum: 0.03 });

export class BatchNorm2d extends Module {
  constructor(
    readonly channels: number,
    readonly eps = YOLO_BN.eps,
    readonly momentum = YOLO_BN.momentum,
  ) {
    super();
    this.registerParameter('weight', tf.ones([channels]));
    this.registerParameter('bias', tf.zeros([channels]));
    this.registerBuffer('running_mean', tf.zeros([channels]));
    this.registerBuffer('running_var', tf.ones([channels]));
    this.registerBuffer('num_batches_tracked', tf.scalar(0, 'int32'));
  }

  get weight(): tf.Tensor1D {
    return this.get('weight') as tf.Tensor1D;
  }
  get bias(): tf.Tensor1D {
    return this.get('bias') as tf.Tensor1D;
  }
  get runningMean(): tf.Tensor1D {
    return this.get('running_mean') as tf.Tensor1D;
  }
  get runningVar(): tf.Tensor1D {
    return this.get('running_var') as tf.Tensor1D;
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    if (!ctx.training) return this.normalize(x, this.runningMean, this.runningVar);
    const { mean, variance } = batchMoments(x);
    if (ctx.updateStats) this.updateRunningStats(mean, variance, x.size / this.channels);
    return this.normalize(x, mean, variance);
  }

  /**
   * PyTorch's CPU formula: α = γ/√(σ²+ε), β' = β − μ·α, y = x·α + β' (rather than (x − μ)·α + β), so the
   * per-channel α and β' round as upstream's do. Each BN stays within an ulp or two of float64 either way;
   * the head-logit differences from upstream come from the conv sums (see MODEL_CASE_TOLERANCES).
   */
  private normalize(x: tf.Tensor4D, mean: tf.Tensor1D, variance: tf.Tensor1D): tf.Tensor4D {
    const alpha = tf.mul(this.weight, tf.div(1, tf.sqrt(tf.add(variance, this.eps))));
    const beta = tf.sub(this.bias, tf.mul(mean, alpha));
    return tf.add(tf.mul(x, alpha), beta);
  }

  private updateRunningStats(mean: tf.Tensor1D, biasedVar: tf.Tensor1D, n: number): void {
    const m = this.momentum;
    const rm = this.runningMean as unknown as tf.Variable;
    const rv = this.runningVar as unknown as tf.Variable;
    const count = this.get('num_batches_tracked') as tf.Variable;
    tf.tidy(() => {
      // A side effect only: `assign` is not recorded on the gradient tape, so no gradient flows here.
      rm.assign(tf.add(tf.mul(rm, 1 - m), tf.mul(mean, m)));
      rv.assign(tf.add(tf.mul(rv, 1 - m), tf.mul(tf.mul(biasedVar, n / Math.max(n - 1, 1)), m)));
      count.assign(tf.add(count, tf.scalar(1, 'int32')));
    });
  }

  profile(input: Shape4, p: Profiler): Shape4 {
    p.macs += 2 * numel(input);
    p.params += 2 * this.channels;
    return input;
  }
}

/**
 * Per-channel mean and biased variance over (N, H, W). Sums run in two stages (blocks of about √rows, then
 * the block sums): a backend that accumulates sequentially in float32 (WASM) otherwise loses enough
 * precision on large activations to shift the normalised values visibly.
 */
export function batchMoments(x: tf.Tensor4D): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const c = x.shape[3];
  const rows = x.size / c;
  const flat = tf.reshape(x, [rows, c]);
  const mean = tf.div(twoStageSum(flat as tf.Tensor2D), rows) as tf.Tensor1D;
  const variance = tf.div(twoStageSum(tf.square(tf.sub(flat, mean)) as tf.Tensor2D), rows) as tf.Tensor1D;
  return { mean, variance };
}

function twoStageSum(x: tf.Tensor2D): tf.Tensor1D {
  const [rows, c] = x.shape;
  let block = Math.floor(Math.sqrt(rows));
  while (block > 1 && rows % block !== 0) block--;
  if (block < 8) return tf.sum(x, 0);
  return tf.sum(tf.sum(tf.reshape(x, [rows / block, block, c]), 1), 0);
}
