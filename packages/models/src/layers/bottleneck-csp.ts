/**
 * upstream `BottleneckCSP(c1, c2, n, shortcut)`: c_ = int(c2/2); y1 = cv3(m(cv1(x))), y2 = cv2(x) (cv2/cv3
 * plain 1×1 convs without BN); out = cv4(LeakyReLU(bn(cat(y1, y2)))); m = n Bottlenecks with e = 1.
 * Its own `bn` follows a concatenation, so upstream's `fuse()` leaves it alone and so do the Params/FLOPs
 * counts; for inference `fuse()` still folds it, per channel range, into cv3 and cv2 (with the LeakyReLU as
 * their fused activation: act(cat(a, b)) = cat(act(a), act(b))), which saves two passes over the concatenation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from '../nn/module.ts';
import type { Rng } from '../nn/random.ts';
import { Sequential, type Block } from '../nn/sequential.ts';
import { numel, type Profiler, type Shape4 } from '../flops/profiler.ts';
import { Conv } from './conv.ts';
import { Conv2d } from './conv2d.ts';
import { BatchNorm2d } from './batch-norm.ts';
import { Bottleneck } from './bottleneck.ts';
import { pointwiseConcat } from '../engine/pointwise-concat/pointwise-concat.ts';
import { disposeFolded, foldBatchNorm, type Folded } from './fold.ts';

/** Widths of a pruned block (network slimming); absent = upstream's c_ = int(c2·e) everywhere. */
export interface BottleneckCSPWidths {
  cv1?: number;
  cv2?: number;
  cv3?: number;
  /** Per inner Bottleneck: its cv1 width and output width. */
  blocks?: Array<{ hidden?: number; out?: number }>;
}

export class BottleneckCSP extends Module implements Block {
  readonly cv1: Conv;
  readonly cv2: Conv2d;
  readonly cv3: Conv2d;
  readonly cv4: Conv;
  readonly bn: BatchNorm2d;
  readonly m: Sequential;
  /** `bn` folded into cv3 (its first channels) and cv2 (the rest), for eval-mode forwards after fuse(). */
  private tail?: { cv3: Folded; cv2: Folded };

  constructor(c1: number, c2: number, n = 1, shortcut = true, e = 0.5, rng?: Rng | null, pruned?: BottleneckCSPWidths) {
    super();
    const hidden = Math.trunc(c2 * e);
    const h1 = pruned?.cv1 ?? hidden;
    const w2 = pruned?.cv2 ?? hidden;
    const w3 = pruned?.cv3 ?? hidden;
    this.cv1 = this.registerModule('cv1', new Conv(c1, h1, 1, 1, rng));
    this.cv2 = this.registerModule('cv2', new Conv2d(c1, w2, 1, { bias: false, rng }));
    // Inner Bottleneck widths: unpruned, each is (c_, c_) with e = 1, so its shortcut applies iff `shortcut`.
    const outs: number[] = [];
    for (let k = 0; k < n; k++) outs.push(pruned?.blocks?.[k]?.out ?? (k === 0 ? h1 : outs[k - 1]));
    this.cv3 = this.registerModule('cv3', new Conv2d(n > 0 ? outs[n - 1] : h1, w3, 1, { bias: false, rng }));
    this.cv4 = this.registerModule('cv4', new Conv(w3 + w2, c2, 1, 1, rng));
    this.bn = this.registerModule('bn', new BatchNorm2d(w3 + w2));
    const blocks = outs.map(
      (out, k) => new Bottleneck(k === 0 ? h1 : outs[k - 1], out, shortcut, 1.0, rng, { hidden: pruned?.blocks?.[k]?.hidden ?? out, add: shortcut }),
    );
    this.m = this.registerModule('m', new Sequential(blocks));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    if (this.tail && !ctx.training) {
      // cv3 and cv2 (1x1, bn folded in) write their halves of cv4's input in place.
      const inner = this.m.forward(this.cv1.forward(x, ctx), ctx);
      const { cv3, cv2 } = this.tail;
      const parts = [
        { x: inner, filter: cv3.filter, bias: cv3.bias },
        { x, filter: cv2.filter, bias: cv2.bias },
      ];
      return this.cv4.forward(pointwiseConcat(parts, 'leakyrelu', 0.1), ctx);
    }
    const y1 = this.cv3.forward(this.m.forward(this.cv1.forward(x, ctx), ctx));
    const y2 = this.cv2.forward(x);
    return this.cv4.forward(tf.leakyRelu(this.bn.forward(tf.concat([y1, y2], 3), ctx), 0.1), ctx);
  }

  override fuse(): void {
    super.fuse();
    this.tail = { cv3: foldBatchNorm(this.cv3, this.bn), cv2: foldBatchNorm(this.cv2, this.bn, this.cv3.cout) };
  }

  override unfuse(): void {
    super.unfuse();
    if (this.tail) {
      disposeFolded(this.tail.cv3);
      disposeFolded(this.tail.cv2);
      this.tail = undefined;
    }
  }

  profile(input: Shape4, p: Profiler): Shape4 {
    const y1 = this.cv3.profile(this.m.profile(this.cv1.profile(input, p), p), p);
    const y2 = this.cv2.profile(input, p);
    const cat: Shape4 = [y1[0], y1[1], y1[2], y1[3] + y2[3]];
    this.bn.profile(cat, p);
    p.macs += numel(cat); // LeakyReLU
    return this.cv4.profile(cat, p);
  }
}
