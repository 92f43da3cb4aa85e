// 1x1 convolutions into one concatenation (kernel-name.ts): the engine's kernel where the backend has one
// (wasm), else each fused conv2d and a concat.
import * as tf from '@tensorflow/tfjs-core';
import type { FusedActivation } from '../fused-activation.ts';
import { PointwiseConcat, type PointwiseConcatAttrs } from './kernel-name.ts';

export interface PointwisePart {
  x: tf.Tensor4D;
  /** `[1, 1, in, out]` */
  filter: tf.Tensor4D;
  bias?: tf.Tensor1D;
}

function checkParts(parts: readonly PointwisePart[]): void {
  if (parts.length === 0) throw new Error('pointwise-concat: no convolutions');
  const [b, h, w] = parts[0]!.x.shape;
  parts.forEach(({ x, filter }, i) => {
    const [kh, kw, k] = filter.shape;
    if (kh !== 1 || kw !== 1 || k !== x.shape[3] || x.shape[0] !== b || x.shape[1] !== h || x.shape[2] !== w)
      throw new Error(`pointwise-concat: part ${i} has x [${x.shape.join(', ')}] and filter [${filter.shape.join(', ')}]; needs a 1x1 filter over x's channels and every x [${b}, ${h}, ${w}, ·]`);
  });
}

export function pointwiseConcat(parts: readonly PointwisePart[], activation: FusedActivation, leakyAlpha = 0.1): tf.Tensor4D {
  checkParts(parts);
  if (tf.getKernel(PointwiseConcat, tf.getBackend()) !== undefined) {
    const inputs: tf.NamedTensorMap = {};
    parts.forEach(({ x, filter, bias }, i) => {
      inputs[`x${i}`] = x;
      inputs[`filter${i}`] = filter;
      if (bias) inputs[`bias${i}`] = bias;
    });
    const attrs: PointwiseConcatAttrs = { count: parts.length, activation, leakyAlpha };
    return tf.engine().runKernel(PointwiseConcat, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  return tf.tidy(() =>
    tf.concat(
      parts.map(({ x, filter, bias }) => tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'valid', activation, leakyreluAlpha: leakyAlpha })),
      3,
    ),
  );
}
