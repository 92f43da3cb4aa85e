/** upstream `Conv`: Conv2d(k, s, padding k//2, no bias) → BatchNorm2d → LeakyReLU(0.1). */
import type * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from '../nn/module.ts';
import type { Rng } from '../nn/random.ts';
import type { Block } from '../nn/sequential.ts';
import { numel, type Profiler, type Shape4 } from '../flops/profiler.ts';
import { Conv2d, convolve } from './conv2d.ts';
import { BatchNorm2d } from './batch-norm.ts';
import { disposeFolded, foldBatchNorm, type Folded } from './fold.ts';

export class Conv extends Module implements Block {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  private folded?: Folded;

  constructor(
    c1: number,
    readonly c2: number,
    k = 1,
    s = 1,
    rng?: Rng | null,
    readonly act = true,
  ) {
    super();
    this.conv = this.registerModule('conv', new Conv2d(c1, c2, k, { stride: s, padding: Math.floor(k / 2), bias: false, rng }));
    this.bn = this.registerModule('bn', new BatchNorm2d(c2));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const activation = this.act ? 'leakyrelu' : 'linear';
    if (this.folded && !ctx.training) return convolve(x, this.folded.filter, this.folded.bias, this.conv, activation);
    return this.bn.forwardActivated(this.conv.forward(x), ctx, activation);
  }

  override fuse(): void {
    this.unfuse();
    this.folded = foldBatchNorm(this.conv, this.bn);
  }

  override unfuse(): void {
    this.folded = disposeFolded(this.folded);
  }

  profile(input: Shape4, p: Profiler): Shape4 {
    let out: Shape4;
    if (p.fused) out = this.conv.profile(input, p, true);
    else out = this.bn.profile(this.conv.profile(input, p), p);
    if (this.act) p.macs += numel(out); // thop counts LeakyReLU as one op per element
    return out;
  }
}
