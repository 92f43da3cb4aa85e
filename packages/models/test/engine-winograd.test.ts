// Winograd F(2x2, 3x3) and F(4x4, 3x3) (src/engine/simd/winograd-conv2d.ts): which convolutions take
// it, which tile size, and that both equal the pure-JS cpu backend — odd sizes (partial edge tiles),
// batch > 1, every fused activation, with and without bias, split over two threads and on one — and
// that a cached transformed filter gives what a fresh transform gives.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { initEngine } from '../src/engine/init-engine.ts';
import { onOneThread } from './engine-switches.ts';
import { withFastInference } from '../src/engine/inference-mode.ts';
import { setWinogradVariant, winogradInfo, winogradVariant } from '../src/engine/simd/winograd-conv2d.ts';
import { relErr, values } from './numbers.ts';

const winogradApplies = (args: Parameters<typeof winogradInfo>[0]): boolean => winogradInfo(args) !== undefined;

type Activation = 'linear' | 'relu6' | 'leakyrelu';
const PAD1: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [1, 1], [1, 1], [0, 0]];

interface Case {
  x: [number, number, number, number];
  co: number;
  activation: Activation;
  bias: boolean;
}

const CASES: Case[] = [
  { x: [1, 40, 40, 64], co: 64, activation: 'leakyrelu', bias: true },
  { x: [2, 21, 19, 64], co: 40, activation: 'leakyrelu', bias: true },
  { x: [1, 17, 23, 68], co: 16, activation: 'relu6', bias: true },
  { x: [3, 9, 12, 96], co: 24, activation: 'linear', bias: false },
  { x: [1, 20, 20, 128], co: 8, activation: 'linear', bias: true },
  { x: [1, 26, 22, 32], co: 24, activation: 'leakyrelu', bias: true },
];

function run(c: Case): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(c.x.reduce((a, b) => a * b), 11), c.x);
    const filter = tf.tensor4d(values(9 * c.x[3] * c.co, 12, 0.2), [3, 3, c.x[3], c.co]);
    const bias = c.bias ? tf.tensor1d(values(c.co, 13)) : undefined;
    return tf.fused.conv2d({ x, filter, bias, strides: 1, pad: PAD1, activation: c.activation, leakyreluAlpha: 0.1 }).dataSync() as Float32Array;
  });
}

const info = (x: Case['x'], co: number, strides = 1, pad: typeof PAD1 | 'same' | 'valid' = PAD1) => ({
  x: { dataId: {}, shape: x, dtype: 'float32' as const },
  filter: { dataId: {}, shape: [3, 3, x[3], co], dtype: 'float32' as const },
  strides,
  pad,
  dilations: 1,
  dataFormat: 'NHWC' as const,
});

describe('Winograd F(2x2, 3x3) and F(4x4, 3x3)', () => {
  it('takes 3x3 stride-1 pad-1 convolutions with ≥ 64 input channels (32 for fast inference) (a multiple of 4) and output channels a multiple of 8', () => {
    for (const c of CASES) expect(c.x[3] >= 64 ? winogradApplies(info(c.x, c.co)) : withFastInference(() => winogradApplies(info(c.x, c.co))), JSON.stringify(c)).toBe(true);
    expect(winogradApplies(info([1, 40, 40, 64], 64, 2))).toBe(false); // stride 2
    expect(winogradApplies(info([1, 40, 40, 64], 64, 1, 'valid'))).toBe(false); // no padding
    expect(winogradApplies(info([1, 40, 40, 66], 64))).toBe(false); // C % 4
    expect(winogradApplies(info([1, 40, 40, 32], 64))).toBe(false); // shallow for F(2x2)
    expect(withFastInference(() => winogradApplies(info([1, 40, 40, 32], 64)))).toBe(true); // not for F(4x4)
    expect(withFastInference(() => winogradApplies(info([1, 40, 40, 16], 64)))).toBe(false);
    expect(winogradApplies(info([1, 40, 40, 64], 36))).toBe(false); // Co % 8
    expect(winogradApplies(info([1, 8, 8, 64], 64))).toBe(false); // 16 tiles: too little work
  });

  it.each(CASES.flatMap((c) => (['F2', 'F4'] as const).map((variant) => ({ ...c, variant }))))('$variant $x → $co, $activation, bias $bias: equals the cpu backend, on two threads and on one', async (c) => {
    await initEngine({ backend: 'wasm', threads: 2 });
    const previous = setWinogradVariant(c.variant);
    let split: Float32Array, single: Float32Array;
    try {
      single = onOneThread(() => run(c));
      split = run(c);
    } finally {
      setWinogradVariant(previous);
    }
    await tf.setBackend('cpu');
    const reference = run(c);
    await tf.setBackend('wasm');
    expect(Array.from(split)).toEqual(Array.from(single));
    if (process.env.WINO_LOG) console.log(c.variant, c.x, relErr(split, reference));
    expect(relErr(split, reference)).toBeLessThan(1e-5);
  });

  it('takes F(4x4) only for fast inference, where it needs fewer multiplies than F(2x2)', () => {
    expect(winogradVariant(winogradInfo(info([1, 80, 80, 64], 64))!).tile).toBe(2);
    const variantOf = (x: Case['x'], co: number) => withFastInference(() => winogradVariant(winogradInfo(info(x, co))!).tile);
    expect(variantOf([1, 80, 80, 64], 64)).toBe(4);
    expect(variantOf([1, 20, 20, 256], 256)).toBe(4);
    expect(variantOf([1, 21, 19, 64], 64)).toBe(4);
    // 6x6 outputs: four 4x4 tiles (36 products each) or nine 2x2 tiles (16 each): a tie.
    expect(variantOf([8, 6, 6, 64], 64)).toBe(2);
  });

  it('reuses the transformed filter of the same weights, and never that of other weights', async () => {
    await initEngine({ backend: 'wasm', threads: 2 });
    const x = tf.tensor4d(values(40 * 40 * 64, 21), [1, 40, 40, 64]);
    const filterA = tf.tensor4d(values(9 * 64 * 64, 22, 0.2), [3, 3, 64, 64]);
    const filterB = tf.tensor4d(values(9 * 64 * 64, 23, 0.2), [3, 3, 64, 64]);
    const conv = (filter: tf.Tensor4D) => tf.tidy(() => withFastInference(() => tf.conv2d(x, filter, 1, PAD1)).dataSync() as Float32Array);
    try {
      const first = conv(filterA); // transforms and caches A
      const again = conv(filterA); // cache hit
      const other = conv(filterB); // B's own transform
      expect(Array.from(again)).toEqual(Array.from(first));
      await tf.setBackend('cpu');
      const [refA, refB] = [conv(filterA), conv(filterB)];
      await tf.setBackend('wasm');
      expect(relErr(first, refA)).toBeLessThan(1e-5);
      expect(relErr(other, refB)).toBeLessThan(1e-5);
    } finally {
      tf.dispose([x, filterA, filterB]);
    }
  });
});
