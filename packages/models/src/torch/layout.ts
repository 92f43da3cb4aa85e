/**
 * PyTorch ↔ tfjs weight layouts. Conv weights: OIHW `[out, in, kh, kw]` ↔ HWIO `[kh, kw, in, out]`;
 * depthwise: `[C, 1, kh, kw]` ↔ `[kh, kw, C, 1]`; everything else (vectors, anchors) as is.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TorchLayout } from '../nn/module.ts';

/** The PyTorch shape of an entry whose tfjs shape is `shape`. */
export function torchShape(shape: readonly number[], layout: TorchLayout): number[] {
  if (layout === 'conv') return [shape[3], shape[2], shape[0], shape[1]];
  if (layout === 'depthwise') return [shape[2], shape[3], shape[0], shape[1]];
  return [...shape];
}

/** PyTorch tensor → tfjs layout. */
export function fromTorch(t: tf.Tensor, layout: TorchLayout): tf.Tensor {
  if (layout === 'conv') return tf.transpose(t, [2, 3, 1, 0]);
  if (layout === 'depthwise') return tf.transpose(t, [2, 3, 0, 1]);
  return t;
}

/** tfjs layout → PyTorch tensor. */
export function toTorch(t: tf.Tensor, layout: TorchLayout): tf.Tensor {
  if (layout === 'conv') return tf.transpose(t, [3, 2, 0, 1]);
  if (layout === 'depthwise') return tf.transpose(t, [2, 3, 0, 1]);
  return t;
}
