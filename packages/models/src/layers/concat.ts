/** upstream `Concat(1)`: channel concatenation, which is the last axis in NHWC. */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/module.ts';
import type { Shape4 } from '../flops/profiler.ts';

export class Concat extends Module {
  forward(xs: tf.Tensor4D[]): tf.Tensor4D {
    return tf.concat(xs, 3);
  }

  outShape(inputs: Shape4[]): Shape4 {
    const [n, h, w] = inputs[0];
    return [n, h, w, inputs.reduce((a, s) => a + s[3], 0)];
  }
}
