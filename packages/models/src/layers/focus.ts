/**
 * upstream `Focus(c1, c2, k)`: space-to-depth then `Conv(4·c1, c2, k)`. Channel groups in upstream's order
 * `x[::2, ::2], x[1::2, ::2], x[::2, 1::2], x[1::2, 1::2]` (row offset first), done in NHWC with one
 * reshape/transpose instead of four strided slices.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from '../nn/module.ts';
import type { Rng } from '../nn/random.ts';
import type { Block } from '../nn/sequential.ts';
import type { Profiler, Shape4 } from '../flops/profiler.ts';
import { Conv } from './conv.ts';

export function spaceToDepthRowFirst(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (h % 2 !== 0 || w % 2 !== 0) throw new Error(`Focus needs an even height and width, got ${h}x${w}`);
  // [b, h/2, rowOff, w/2, colOff, c] → [b, h/2, w/2, colOff, rowOff, c]: group index = colOff·2 + rowOff.
  const t = tf.transpose(tf.reshape(x, [b, h / 2, 2, w / 2, 2, c]), [0, 1, 3, 4, 2, 5]);
  return tf.reshape(t, [b, h / 2, w / 2, 4 * c]);
}

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
