// Winograd F(2x2, 3x3) (src/engine/simd/winograd-conv2d.ts): which convolutions take it, and that they
// equal the pure-JS cpu backend — odd sizes (partial edge tiles), batch > 1, every fused activation,
// with and without bias, split over two threads and on one.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { initEngine } from '../src/engine/init-engine.ts';
import { setSimdHelpers } from '../src/engine/simd/simd-module.ts';
import { winogradInfo } from '../src/engine/simd/winograd-conv2d.ts';
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

describe('Winograd F(2x2, 3x3)', () => {
  it('takes 3x3 stride-1 pad-1 convolutions with ≥ 64 input channels (a multiple of 4) and output channels a multiple of 8', () => {
    for (const c of CASES) expect(winogradApplies(info(c.x, c.co)), JSON.stringify(c)).toBe(true);
    expect(winogradApplies(info([1, 40, 40, 64], 64, 2))).toBe(false); // stride 2
    expect(winogradApplies(info([1, 40, 40, 64], 64, 1, 'valid'))).toBe(false); // no padding
    expect(winogradApplies(info([1, 40, 40, 66], 64))).toBe(false); // C % 4
    expect(winogradApplies(info([1, 40, 40, 32], 64))).toBe(false); // shallow
    expect(winogradApplies(info([1, 40, 40, 64], 36))).toBe(false); // Co % 8
    expect(winogradApplies(info([1, 8, 8, 64], 64))).toBe(false); // 16 tiles: too little work
  });

  it.each(CASES)('$x → $co, $activation, bias $bias: equals the cpu backend, on two threads and on one', async (c) => {
    await initEngine({ backend: 'wasm', threads: 2 });
    const split = run(c);
    const helpers = setSimdHelpers(undefined);
    let single: Float32Array;
    try {
      single = run(c);
    } finally {
      setSimdHelpers(helpers);
    }
    await tf.setBackend('cpu');
    const reference = run(c);
    await tf.setBackend('wasm');
    expect(Array.from(split)).toEqual(Array.from(single));
    expect(relErr(split, reference)).toBeLessThan(1e-5);
  });
});
