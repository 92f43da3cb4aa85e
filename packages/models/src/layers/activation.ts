import * as tf from '@tensorflow/tfjs-core';
import type { ConvActivation } from './conv2d.ts';

/** LeakyReLU uses upstream's slope 0.1 (not PyTorch's default 0.01). */
export function activate(x: tf.Tensor4D, activation: ConvActivation): tf.Tensor4D {
  if (activation === 'leakyrelu') return tf.leakyRelu(x, 0.1);
  if (activation === 'relu6') return tf.relu6(x);
  return x;
}
