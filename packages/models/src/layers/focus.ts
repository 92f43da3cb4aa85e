/**
 * upstream `Focus(c1, c2, k)`: space-to-depth then `Conv(4·c1, c2, k)`. Channel groups in upstream's order
 * `x[::2, ::2], x[1::2, ::2], x[::2, 1::2], x[1::2, 1::2]` (row offset first), done in NHWC in one
 * pass (engine/space-to-depth) instead of four strided slices.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from '../nn/module.ts';
import type { Rng } from '../nn/random.ts';
import type { Block } from '../nn/sequential.ts';
import type { Profiler, Shape4 } from '../flops/profiler.ts';
import { Conv } from './conv.ts';
import { spaceToDepthRowFirst } from '../engine/space-to-depth/space-to-depth.ts';

export class Focus extends Module implements Block {
  readonly conv: Conv;
  constructor(c1: number, c2: number, k = 1, rng?: Rng | null) {
    super();
    this.conv = this.registerModule('conv', new Conv(c1 * 4, c2, k, 1, rng));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return this.conv.forward(spaceToDepthRowFirst(x), ctx);
  }

  profile(input: Shape4, p: Profiler): Shape4 {
    return this.conv.profile([input[0], Math.floor(input[1] / 2), Math.floor(input[2] / 2), input[3] * 4], p);
  }
}
