/** upstream `Bottleneck(c1, c2, shortcut, e)`: 1×1 Conv to int(c2·e) → 3×3 Conv; residual iff shortcut and c1 = c2. */
import * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from '../nn/module.ts';
import type { Rng } from '../nn/random.ts';
import type { Block } from '../nn/sequential.ts';
import type { Profiler, Shape4 } from '../flops/profiler.ts';
import { Conv } from './conv.ts';

export class Bottleneck extends Module implements Block {
  readonly cv1: Conv;
  readonly cv2: Conv;
  readonly add: boolean;

  /** @param pruned widths of a pruned block: cv1's width and the ORIGINAL shortcut decision */
  constructor(c1: number, c2: number, shortcut = true, e = 0.5, rng?: Rng | null, pruned?: { hidden?: number; add?: boolean }) {
    super();
    const hidden = pruned?.hidden ?? Math.trunc(c2 * e);
    this.cv1 = this.registerModule('cv1', new Conv(c1, hidden, 1, 1, rng));
    this.cv2 = this.registerModule('cv2', new Conv(hidden, c2, 3, 1, rng));
    this.add = pruned?.add ?? (shortcut && c1 === c2);
    if (this.add && c1 !== c2) throw new Error(`Bottleneck(${c1}, ${c2}): a shortcut needs as many output as input channels`);
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const y = this.cv2.forward(this.cv1.forward(x, ctx), ctx);
    return this.add ? tf.add(x, y) : y;
  }

  profile(input: Shape4, p: Profiler): Shape4 {
    return this.cv2.profile(this.cv1.profile(input, p), p);
  }
}
