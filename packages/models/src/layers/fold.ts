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

/**
 * Folds `bn` into `conv`; with `offset`, the conv's outputs are channels [offset, offset + cout) of
 * the BN's input (a BN after a concatenation, folded into each of the concatenated convs).
 */
export function foldBatchNorm(conv: Conv2d, bn: BatchNorm2d, offset = 0): Folded {
  return tf.tidy(() => {
    const part = (t: tf.Tensor): tf.Tensor1D => (offset === 0 && conv.cout === t.shape[0] ? (t as tf.Tensor1D) : tf.slice(t as tf.Tensor1D, [offset], [conv.cout]));
    const scale = tf.div(part(bn.weight), tf.sqrt(tf.add(part(bn.runningVar), bn.eps)));
    const shape = conv.depthwise ? [1, 1, conv.cout, 1] : [1, 1, 1, conv.cout];
    const filter = tf.mul(conv.weight, tf.reshape(scale, shape)) as tf.Tensor4D;
    let bias = tf.sub(part(bn.bias), tf.mul(part(bn.runningMean), scale));
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
