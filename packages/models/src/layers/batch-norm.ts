/**
 * `nn.BatchNorm2d` over the channel (last) axis. Upstream's `initialize_weights` sets eps 1e-4 and
 * momentum 0.03 on every BN of the model. Training mode normalises with the biased batch variance and
 * updates the running variance with the unbiased one (`·n/(n−1)`, n = N·H·W), as PyTorch does.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from '../nn/module.ts';
import { numel, type Profiler, type Shape4 } from '../flops/profiler.ts';
import { batchNormActTrain } from '../engine/batch-norm/batch-norm-act.ts';
import { activate } from './activation.ts';
import type { ConvActivation } from './conv2d.ts';

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
    return this.forwardActivated(x, ctx, 'linear');
  }

  /**
   * `act(bn(x))`. In training mode this is one fused op whose gradient keeps only x and the per-channel
   * statistics on the tape (the composed ops keep ~6 full-size intermediates per BN, which overflows the
   * wasm heap at batch 4 on 320² MobileNetV2 and costs ~1.45× the step time).
   */
  forwardActivated(x: tf.Tensor4D, ctx: ForwardContext, activation: ConvActivation): tf.Tensor4D {
    if (!ctx.training) return activate(this.normalize(x, this.runningMean, this.runningVar), activation);
    const { y, mean, variance } = batchNormActTrain(x, this.weight, this.bias, { eps: this.eps, activation, leakyAlpha: 0.1 });
    if (ctx.updateStats) this.updateRunningStats(mean, variance, x.size / this.channels);
    tf.dispose([mean, variance]);
    return y;
  }

  /**
   * PyTorch's CPU formula: α = γ/√(σ²+ε), β' = β − μ·α, y = x·α + β' (rather than (x − μ)·α + β), so the
   * per-channel α and β' round as upstream's do. Each BN stays within an ulp or two of float64 either way;
   * the head-logit differences from upstream come from the conv sums (see reference/raw-output-checks.ts).
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
