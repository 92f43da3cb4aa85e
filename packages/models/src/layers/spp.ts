/**
 * upstream `SPP(c1, c2, k=(5, 9, 13))`: cv1 (to c1//2) → cat(x, maxpool_k(x) for k, stride 1, padding k//2) → cv2.
 * Max pools with stride 1 and −∞ padding compose exactly (a 9×9 pool = two 5×5 pools), so consecutive
 * kernels are computed incrementally when they allow it: same numbers, much less work.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from '../nn/module.ts';
import type { Rng } from '../nn/random.ts';
import type { Block } from '../nn/sequential.ts';
import type { Profiler, Shape4 } from '../flops/profiler.ts';
import { Conv } from './conv.ts';

export class SPP extends Module implements Block {
  readonly cv1: Conv;
  readonly cv2: Conv;

  /** @param pruned widths of a pruned block: cv1's width (default c1 // 2) */
  constructor(c1: number, c2: number, readonly kernels: number[] = [5, 9, 13], rng?: Rng | null, pruned?: { hidden?: number }) {
    super();
    for (const k of kernels) if (k % 2 !== 1) throw new Error(`SPP kernel ${k}: must be odd`);
    const hidden = pruned?.hidden ?? Math.floor(c1 / 2);
    this.cv1 = this.registerModule('cv1', new Conv(c1, hidden, 1, 1, rng));
    this.cv2 = this.registerModule('cv2', new Conv(hidden * (kernels.length + 1), c2, 1, 1, rng));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const h = this.cv1.forward(x, ctx);
    const parts: tf.Tensor4D[] = [h];
    let prev = h;
    let prevK = 1;
    for (const k of this.kernels) {
      // pool_k = pool_{k−prevK+1}(pool_prevK) for stride-1 'same' max pools.
      const step = k > prevK ? k - prevK + 1 : k;
      const src = k > prevK ? prev : h;
      prev = tf.maxPool(src, step, 1, 'same');
      prevK = k;
      parts.push(prev);
    }
    return this.cv2.forward(tf.concat(parts, 3), ctx);
  }

  profile(input: Shape4, p: Profiler): Shape4 {
    const h = this.cv1.profile(input, p);
    return this.cv2.profile([h[0], h[1], h[2], h[3] * (this.kernels.length + 1)], p); // MaxPool2d: 0 ops
  }
}
