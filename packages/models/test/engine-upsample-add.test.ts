// A head's upsample + add + activation (src/engine/upsample-add): the wasm kernel — split over threads,
// on one, and its JS fallback — equals resizeNearestNeighbor + add + activation from tf ops on the cpu
// backend bit for bit (one float32 add; LeakyReLU's slope a float32, as in PyTorch and the fused convs).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { initEngine } from '../src/engine/init-engine.ts';
import type { FusedActivation } from '../src/engine/fused-activation.ts';
import { upsampleAdd } from '../src/engine/upsample-add/upsample-add.ts';
import { onOneThread, withSimdKernels } from './engine-switches.ts';
import { values } from './numbers.ts';

interface Case {
  small: [number, number, number, number];
  scale: number;
  activation: FusedActivation;
}

const CASES: Case[] = [
  { small: [1, 20, 16, 128], scale: 2, activation: 'leakyrelu' },
  { small: [2, 5, 3, 8], scale: 2, activation: 'linear' },
  { small: [1, 4, 6, 12], scale: 3, activation: 'relu6' },
  { small: [2, 3, 2, 6], scale: 2, activation: 'leakyrelu' }, // 6 channels: the JS loop
];

function run(c: Case, composed = false): number[] {
  const [b, h, w, ch] = c.small;
  const big: [number, number, number, number] = [b, h * c.scale, w * c.scale, ch];
  return tf.tidy(() => {
    const x = tf.tensor4d(values(big.reduce((p, q) => p * q), 7, 4), big);
    const small = tf.tensor4d(values(c.small.reduce((p, q) => p * q), 11, 4), c.small);
    if (!composed) return Array.from(upsampleAdd(x, small, c.scale, c.activation, 0.1).dataSync());
    const sum = tf.add(x, tf.image.resizeNearestNeighbor(small, [big[1], big[2]]));
    const y = c.activation === 'relu6' ? tf.relu6(sum) : c.activation === 'leakyrelu' ? tf.where(tf.greater(sum, 0), sum, tf.mul(sum, tf.scalar(0.1))) : sum;
    return Array.from(y.dataSync());
  });
}

describe('upsample + add + activation', () => {
  it.each(CASES)('$small x$scale, $activation: wasm (two threads, one, no SIMD) = cpu composed ops', async (c) => {
    await initEngine({ backend: 'cpu' });
    const reference = run(c, true);
    // The op's own composed path (tf.leakyRelu: a float64 slope on cpu) is within an ulp.
    const composed = run(c);
    const ulps = composed.reduce((m, v, i) => Math.max(m, Math.abs(v - reference[i]!) / Math.max(Math.abs(reference[i]!), 1e-30)), 0);
    expect(ulps).toBeLessThanOrEqual(2 ** -23);
    await initEngine({ backend: 'wasm', threads: 2 });
    const split = run(c);
    const single = onOneThread(() => run(c));
    const js = withSimdKernels(false, () => run(c));
    for (const got of [split, single, js]) expect(got).toEqual(reference);
    // The sums straddle 0 and 6, so every branch of the activation is taken.
    const sums = run({ ...c, activation: 'linear' }, true);
    expect(sums.some((v) => v < 0) && sums.some((v) => v > 6)).toBe(true);
  });

  it('says which shapes do not fit', async () => {
    await initEngine({ backend: 'wasm', threads: 2 });
    expect(() => upsampleAdd(tf.zeros([1, 8, 8, 4]), tf.zeros([1, 4, 3, 4]), 2, 'linear')).toThrow(/x \[1, 8, 8, 4\] is not small \[1, 4, 3, 4\] upsampled by 2/);
  });
});
