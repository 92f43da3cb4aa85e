/** upstream `Conv`: Conv2d(k, s, padding k//2, no bias) → BatchNorm2d → LeakyReLU(0.1). */
import * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from '../nn/module.ts';
import type { Rng } from '../nn/random.ts';
import type { Block } from '../nn/sequential.ts';
import { numel, type Profiler, type Shape4 } from '../flops/profiler.ts';
import { Conv2d, convolve } from './conv2d.ts';
import { BatchNorm2d } from './batch-norm.ts';
import { disposeFolded, foldBatchNorm, type Folded } from './fold.ts';
import { upsampleAdd } from '../engine/upsample-add/upsample-add.ts';

export class Conv extends Module implements Block {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  private folded?: Folded;
  /** The folded filter split at a concatenation's channel boundary (see forwardUpsampledConcat). */
  private split?: { at: number; first: tf.Tensor4D; second: tf.Tensor4D };

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
    if (this.split) tf.dispose([this.split.first, this.split.second]);
    this.split = undefined;
  }

  /** Whether forwardUpsampledConcat applies: a folded (inference) 1x1 stride-1 conv. */
  get takesUpsampledConcat(): boolean {
    return this.folded !== undefined && this.conv.k === 1 && this.conv.stride === 1 && !this.conv.depthwise;
  }

  /**
   * This conv on `concat(upsample(small, scale), other)` (or `other` first), without building either:
   * a 1x1 conv commutes with nearest upsampling, so `small`'s share of the sum is computed at its own
   * resolution (scale² fewer multiplies, e.g. 157M of yolov5s_voc's 7.7G at 640) and then upsampled
   * and added to `other`'s share. The same products summed in another order (fast inference only).
   */
  forwardUpsampledConcat(small: tf.Tensor4D, scale: number, other: tf.Tensor4D, smallFirst: boolean): tf.Tensor4D {
    if (!this.takesUpsampledConcat || !this.folded) throw new Error('forwardUpsampledConcat needs a folded 1x1 stride-1 Conv');
    const cs = small.shape[3];
    const filter = this.folded.filter;
    const cin = filter.shape[2];
    if (cs + other.shape[3] !== cin) throw new Error(`Conv: ${cs} + ${other.shape[3]} input channels, the filter takes ${cin}`);
    const at = smallFirst ? cs : cin - cs;
    if (this.split?.at !== at) {
      if (this.split) tf.dispose([this.split.first, this.split.second]);
      const [first, second] = tf.split(filter, [at, cin - at], 2) as [tf.Tensor4D, tf.Tensor4D];
      this.split = { at, first: tf.keep(first), second: tf.keep(second) };
    }
    const [smallFilter, otherFilter] = smallFirst ? [this.split.first, this.split.second] : [this.split.second, this.split.first];
    const smallShare = tf.conv2d(small, smallFilter, 1, 'valid');
    return upsampleAdd(convolve(other, otherFilter, this.folded.bias, this.conv, 'linear'), smallShare, scale, this.act ? 'leakyrelu' : 'linear', 0.1);
  }

  profile(input: Shape4, p: Profiler): Shape4 {
    let out: Shape4;
    if (p.fused) out = this.conv.profile(input, p, true);
    else out = this.bn.profile(this.conv.profile(input, p), p);
    if (this.act) p.macs += numel(out); // thop counts LeakyReLU as one op per element
    return out;
  }
}
