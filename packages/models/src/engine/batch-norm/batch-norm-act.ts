/**
 * Training-mode batch norm (batch statistics) fused with its activation, with a hand-written
 * gradient. Same values as `act(x·alpha + beta - mean·alpha)` composed from tf ops (the layers'
 * BatchNorm2d + activate), but:
 * - memory: the tape keeps only x and the per-channel statistics, instead of the ~6 full-size
 *   intermediates (x - mean, its square, x·alpha, the sum, the activation's masks) that autograd
 *   of the composition keeps per layer — what made a batch of 8 at 320x320 overflow the wasm
 *   backend's 4 GiB heap;
 * - speed: on wasm and cpu, 3 passes forward and 2 backward in one kernel each, instead of ~25
 *   stock kernels (slow leading-axis Sums, masks, casts) each allocating a full-size tensor.
 * On backends without the kernels (e.g. tfjs-node) it falls back to the plain composition.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BatchNormActivation } from './batch-norm-act-math.ts';
import { BatchNormActTrain, BatchNormActTrainGrad, type BatchNormActKernelAttrs } from './kernel-names.ts';

export type { BatchNormActivation } from './batch-norm-act-math.ts';

export interface BatchNormActOptions {
  eps: number;
  activation?: BatchNormActivation;
  /** LeakyReLU negative slope (YOLOv5's Conv uses 0.1). */
  leakyAlpha?: number;
}

export interface BatchNormActResult {
  y: tf.Tensor4D;
  /** Batch mean per channel (no gradient flows through it: for the running statistics). */
  mean: tf.Tensor1D;
  /** Biased batch variance per channel (no gradient; unbias it for running_var as PyTorch does). */
  variance: tf.Tensor1D;
}

/** y = act(batchnorm(x)) with batch statistics, over N, H, W of an NHWC tensor. */
export function batchNormActTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, options: BatchNormActOptions): BatchNormActResult {
  const attrs: BatchNormActKernelAttrs = { eps: options.eps, activation: options.activation ?? 'linear', leakyAlpha: options.leakyAlpha ?? 0.1 };
  const backend = tf.getBackend();
  if (tf.getKernel(BatchNormActTrain, backend) === undefined || tf.getKernel(BatchNormActTrainGrad, backend) === undefined) {
    return composed(x, gamma, beta, attrs);
  }
  let stats: tf.Tensor[] = [];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, variance] = tf.engine().runKernel(BatchNormActTrain, { x: xs, gamma: g, beta: b }, attrs) as tf.Tensor[];
    save([xs, g, b, mean, variance]);
    // The forward runs inside a tidy: keep the statistics to hand them out below.
    stats = [tf.keep(mean), tf.keep(variance)];
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sg, sb, sm, sv] = saved;
        const inputs = { dy: dy as tf.Tensor, x: sx, gamma: sg, beta: sb, mean: sm, variance: sv };
        return tf.engine().runKernel(BatchNormActTrainGrad, inputs, attrs) as tf.Tensor[];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor4D;
  // Clones share the data and belong to the caller's scope, so a tidy frees them as usual.
  const [mean, variance] = stats.map((t) => tf.clone(t)) as [tf.Tensor1D, tf.Tensor1D];
  tf.dispose(stats);
  return { y, mean, variance };
}

/** The same values from stock tf ops (plain autograd), for backends without the fused kernels. */
function composed(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, attrs: BatchNormActKernelAttrs): BatchNormActResult {
  const c = x.shape[3];
  const flat = tf.reshape(x, [-1, c]);
  const mean = tf.mean(flat, 0) as tf.Tensor1D;
  const variance = tf.mean(tf.square(tf.sub(flat, mean)), 0) as tf.Tensor1D;
  const alpha = tf.mul(gamma, tf.div(1, tf.sqrt(tf.add(variance, attrs.eps))));
  const z = tf.add(tf.mul(x, alpha), tf.sub(beta, tf.mul(mean, alpha))) as tf.Tensor4D;
  const y = attrs.activation === 'relu6' ? tf.relu6(z) : attrs.activation === 'leakyrelu' ? tf.leakyRelu(z, attrs.leakyAlpha) : z;
  return { y, mean, variance };
}
