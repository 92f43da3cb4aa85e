// 1x1 convolutions written into one concatenation (src/engine/pointwise-concat): on wasm the kernel equals
// FusedConv2D per part + Concat bit for bit (the same GEMM writes the same sums, only in place) — split
// over threads and on one, and where the GEMM does not cover a part (the kernel's own fallback) — and the
// cpu backend's composed ops to float32 rounding.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { initEngine } from '../src/engine/init-engine.ts';
import { pointwiseConcat, type PointwisePart } from '../src/engine/pointwise-concat/pointwise-concat.ts';
import type { FusedActivation } from '../src/engine/fused-activation.ts';
import { onOneThread } from './engine-switches.ts';
import { relErr, values } from './numbers.ts';

interface Case {
  name: string;
  pixels: [number, number, number];
  /** [in, out, bias] per part */
  parts: Array<[number, number, boolean]>;
  activation: FusedActivation;
}

const CASES: Case[] = [
  { name: 'CSP tail (GEMM for both)', pixels: [1, 20, 16], parts: [[64, 32, true], [128, 32, true]], activation: 'leakyrelu' },
  { name: 'three parts, batch 2, no bias', pixels: [2, 6, 4], parts: [[64, 8, false], [96, 16, false], [64, 24, true]], activation: 'relu6' },
  { name: 'a part the GEMM leaves (16 inputs)', pixels: [1, 9, 7], parts: [[16, 12, true], [64, 8, true]], activation: 'linear' },
];

function run(c: Case, composed = false): Float32Array {
  return tf.tidy(() => {
    const parts: PointwisePart[] = c.parts.map(([k, n, bias], i) => ({
      x: tf.tensor4d(values(c.pixels.reduce((a, b) => a * b) * k, 3 + i), [...c.pixels, k]),
      filter: tf.tensor4d(values(k * n, 17 + i, 0.2), [1, 1, k, n]),
      bias: bias ? tf.tensor1d(values(n, 29 + i)) : undefined,
    }));
    if (!composed) return pointwiseConcat(parts, c.activation, 0.1).dataSync() as Float32Array;
    const outs = parts.map(({ x, filter, bias }) => tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'valid', activation: c.activation, leakyreluAlpha: 0.1 }));
    return tf.concat(outs, 3).dataSync() as Float32Array;
  });
}

describe('pointwise convolutions into one concatenation', () => {
  it.each(CASES)('$name: wasm kernel = FusedConv2D + Concat (two threads and one) ≈ cpu', async (c) => {
    await initEngine({ backend: 'cpu' });
    const reference = run(c);
    expect(relErr(reference, run(c, true))).toBe(0); // cpu: the op is the composed ops
    await initEngine({ backend: 'wasm', threads: 2 });
    const composed = run(c, true);
    const split = run(c);
    const single = onOneThread(() => run(c));
    expect(Array.from(split)).toEqual(Array.from(composed));
    expect(Array.from(single)).toEqual(Array.from(composed));
    expect(relErr(split, reference)).toBeLessThan(1e-5);
  });

  it('names the part that does not fit', async () => {
    await initEngine({ backend: 'wasm', threads: 2 });
    const x = tf.zeros([1, 4, 4, 8]) as tf.Tensor4D;
    expect(() => pointwiseConcat([{ x, filter: tf.zeros([1, 1, 8, 8]) }, { x, filter: tf.zeros([3, 3, 8, 8]) }], 'linear')).toThrow(/part 1 has x \[1, 4, 4, 8\] and filter \[3, 3, 8, 8\]/);
  });
});
