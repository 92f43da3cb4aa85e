// `act(x + upsample(small))` (kernel-name.ts): the engine's kernel where the backend has one (wasm), else
// resizeNearestNeighbor + add + the activation, the same arithmetic in three passes.
import * as tf from '@tensorflow/tfjs-core';
import type { FusedActivation } from '../fused-activation.ts';
import { UpsampleAdd, type UpsampleAddAttrs } from './kernel-name.ts';

/** Checks the shapes; the error names both. */
export function checkUpsampleAddShapes(x: readonly number[], small: readonly number[], scale: number): void {
  const fits =
    x.length === 4 && small.length === 4 && Number.isInteger(scale) && scale >= 1 &&
    x[0] === small[0] && x[1] === small[1]! * scale && x[2] === small[2]! * scale && x[3] === small[3];
  if (!fits) throw new Error(`upsample-add: x [${x.join(', ')}] is not small [${small.join(', ')}] upsampled by ${scale}`);
}

export function upsampleAdd(x: tf.Tensor4D, small: tf.Tensor4D, scale: number, activation: FusedActivation, leakyAlpha = 0.1): tf.Tensor4D {
  checkUpsampleAddShapes(x.shape, small.shape, scale);
  if (tf.getKernel(UpsampleAdd, tf.getBackend()) !== undefined) {
    const attrs: UpsampleAddAttrs = { scale, activation, leakyAlpha };
    return tf.engine().runKernel(UpsampleAdd, { x, small }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  return tf.tidy((): tf.Tensor4D => {
    const [, h, w] = x.shape;
    const sum = tf.add(x, tf.image.resizeNearestNeighbor(small, [h, w], false, false)) as tf.Tensor4D;
    // (The cpu backend's LeakyRelu multiplies by the slope in float64: an ulp off the kernel's at most.)
    if (activation === 'leakyrelu') return tf.leakyRelu(sum, leakyAlpha);
    return activation === 'relu6' ? tf.relu6(sum) : sum;
  });
}
