// Focus's space-to-depth (kernel-name.ts): the engine's kernel where the backend has one (wasm),
// else reshape + transpose; its gradient is the inverse permutation, from tf ops on any backend.
import * as tf from '@tensorflow/tfjs-core';
import { SpaceToDepthRowFirst } from './kernel-name.ts';

function checkEven(h: number, w: number): void {
  if (h % 2 !== 0 || w % 2 !== 0) throw new Error(`Focus needs an even height and width, got ${h}x${w}`);
}

/** `[b, h, w, c]` → `[b, h/2, w/2, 4c]`, channel group = 2·colOffset + rowOffset (upstream's order). */
export function spaceToDepthRowFirst(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  checkEven(h, w);
  if (tf.getKernel(SpaceToDepthRowFirst, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(SpaceToDepthRowFirst, { x }) as tf.Tensor4D;
  }
  // [b, h/2, rowOff, w/2, colOff, c] → [b, h/2, w/2, colOff, rowOff, c]
  const t = tf.transpose(tf.reshape(x, [b, h / 2, 2, w / 2, 2, c]), [0, 1, 3, 4, 2, 5]);
  return tf.reshape(t, [b, h / 2, w / 2, 4 * c]);
}

/** The inverse: `[b, h, w, c]` (c = 4·c₀) → `[b, 2h, 2w, c₀]`. */
export function depthToSpaceRowFirst(y: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = y.shape;
  if (c % 4 !== 0) throw new Error(`depth-to-space needs channels divisible by 4, got ${c}`);
  const t = tf.transpose(tf.reshape(y, [b, h, w, 2, 2, c / 4]), [0, 1, 4, 2, 3, 5]);
  return tf.reshape(t, [b, 2 * h, 2 * w, c / 4]);
}

export const spaceToDepthGradConfig: tf.GradConfig = {
  kernelName: SpaceToDepthRowFirst,
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => ({ x: () => depthToSpaceRowFirst(dy as tf.Tensor4D) }),
};
