/** MobileNetV2 `ConvBNReLU` (an nn.Sequential: `0` conv, `1` BN, `2` ReLU6), padding (k−1)//2. */
import type * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from '../nn/module.ts';
import type { Rng } from '../nn/random.ts';
import type { Block } from '../nn/sequential.ts';
import type { Profiler, Shape4 } from '../flops/profiler.ts';
import { Conv2d, convolve } from './conv2d.ts';
import { BatchNorm2d } from './batch-norm.ts';
import { disposeFolded, foldBatchNorm, type Folded } from './fold.ts';

export class ConvBNReLU extends Module implements Block {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  private folded?: Folded;

  constructor(cin: number, cout: number, k = 3, stride = 1, groups = 1, rng?: Rng | null) {
    super();
    this.conv = this.registerModule('0', new Conv2d(cin, cout, k, { stride, padding: Math.floor((k - 1) / 2), groups, bias: false, rng }));
    this.bn = this.registerModule('1', new BatchNorm2d(cout));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    if (this.folded && !ctx.training) return convolve(x, this.folded.filter, this.folded.bias, this.conv, 'relu6');
    return this.bn.forwardActivated(this.conv.forward(x), ctx, 'relu6');
  }

  override fuse(): void {
    this.unfuse();
    this.folded = foldBatchNorm(this.conv, this.bn);
  }

  override unfuse(): void {
    this.folded = disposeFolded(this.folded);
  }

  profile(input: Shape4, p: Profiler): Shape4 {
    if (p.fused) return this.conv.profile(input, p, true);
    return this.bn.profile(this.conv.profile(input, p), p); // ReLU6: 0 ops in thop
  }
}
