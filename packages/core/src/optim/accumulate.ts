/**
 * Gradient accumulation as PyTorch's `.grad`: every backward adds into it until the optimiser steps
 * and `zero_grad()` clears it. The sum is kept as tensors keyed by parameter name.
 */
import * as tf from '@tensorflow/tfjs-core';

export class GradientAccumulator {
  private sums = new Map<string, tf.Tensor>();
  private batches = 0;

  /** Number of backward passes summed since the last `reset`. */
  get count(): number {
    return this.batches;
  }

  get grads(): ReadonlyMap<string, tf.Tensor> {
    return this.sums;
  }

  /** Adds `grads` (taking ownership: they are disposed or kept here). */
  add(grads: ReadonlyMap<string, tf.Tensor>): void {
    for (const [name, g] of grads) {
      const old = this.sums.get(name);
      if (!old) {
        this.sums.set(name, g);
        continue;
      }
      this.sums.set(name, tf.add(old, g));
      old.dispose();
      g.dispose();
    }
    this.batches++;
  }

  /** Plain arrays of the pending sum (checkpointed so that a resume mid-accumulation is exact). */
  toArrays(): Map<string, { shape: number[]; data: Float32Array }> {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [k, v] of this.sums) out.set(k, { shape: [...v.shape], data: v.dataSync() as Float32Array });
    return out;
  }

  load(arrays: Map<string, { shape: number[]; data: Float32Array }>, count: number): void {
    this.reset();
    for (const [k, { shape, data }] of arrays) this.sums.set(k, tf.tensor(data, shape, 'float32'));
    this.batches = count;
  }

  /** `zero_grad()`. */
  reset(): void {
    for (const t of this.sums.values()) t.dispose();
    this.sums = new Map();
    this.batches = 0;
  }
}
