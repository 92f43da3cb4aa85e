/** `nn.Upsample(scale_factor, mode='nearest')`: output pixel (y, x) copies input (⌊y/s⌋, ⌊x/s⌋). */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/module.ts';
import type { Block } from '../nn/sequential.ts';
import type { Profiler, Shape4 } from '../flops/profiler.ts';

export class Upsample extends Module implements Block {
  constructor(readonly scale: number) {
    super();
    if (!Number.isInteger(scale) || scale < 1) throw new Error(`Upsample: scale_factor ${scale} must be a positive integer`);
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    const [, h, w] = x.shape;
    return tf.image.resizeNearestNeighbor(x, [h * this.scale, w * this.scale], false, false);
  }

  profile(input: Shape4, _p: Profiler): Shape4 {
    return [input[0], input[1] * this.scale, input[2] * this.scale, input[3]];
  }
}
