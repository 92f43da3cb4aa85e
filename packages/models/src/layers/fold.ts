/**
 * Conv+BN folding for inference (upstream `fuse_conv_and_bn`): w' = w·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε)
 * (+ the conv's own bias, scaled). Works for HWIO and depthwise `[kh, kw, C, 1]` filters.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2d } from './conv2d.ts';
import type { BatchNorm2d } from './batch-norm.ts';

export interface Folded {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

export function foldBatchNorm(conv: Conv2d, bn: BatchNorm2d): Folded {
  return tf.tidy(() => {
    const scale = tf.div(bn.weight, tf.sqrt(tf.add(bn.runningVar, bn.eps)));
    const shape = conv.depthwise ? [1, 1, conv.cout, 1] : [1, 1, 1, conv.cout];
    const filter = tf.mul(conv.weight, tf.reshape(scale, shape)) as tf.Tensor4D;
    let bias = tf.sub(bn.bias, tf.mul(bn.runningMean, scale));
    if (conv.bias) bias = tf.add(bias, tf.mul(conv.bias, scale));
    return { filter: tf.keep(filter), bias: tf.keep(bias as tf.Tensor1D) };
  });
}

export function disposeFolded(f: Folded | undefined): undefined {
  if (f) {
    f.filter.dispose();
    f.bias.dispose();
  }
  return undefined;
}
