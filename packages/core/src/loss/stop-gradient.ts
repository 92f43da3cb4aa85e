/**
 * tfjs has no `stop_gradient`/`detach`; this identity passes values through and returns a zero gradient,
 * which is what upstream's `torch.no_grad()` / `.detach()` regions mean for the backward pass.
 */
import * as tf from '@tensorflow/tfjs-core';

const detachOp = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = inputs[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detachOp(x) as T;
}
