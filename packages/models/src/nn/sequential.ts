import type * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from './module.ts';
import type { Profiler, Shape4 } from '../flops/profiler.ts';

/** A block that maps one NHWC tensor to one NHWC tensor. */
export interface Block extends Module {
  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D;
  /** Output shape for an input shape, adding its thop MACs/params to the profiler. */
  profile(input: Shape4, p: Profiler): Shape4;
}

/** `nn.Sequential`: children named '0', '1', … run in order. */
export class Sequential extends Module implements Block {
  readonly blocks: Block[];
  constructor(blocks: Block[]) {
    super();
    this.blocks = blocks;
    blocks.forEach((b, i) => this.registerModule(String(i), b));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    let y = x;
    for (const b of this.blocks) y = b.forward(y, ctx);
    return y;
  }

  profile(input: Shape4, p: Profiler): Shape4 {
    let s = input;
    for (const b of this.blocks) s = b.profile(s, p);
    return s;
  }
}
