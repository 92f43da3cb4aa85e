// Multi-threaded wasm: the threaded tfjs build starts in Node with the requested pool, our SIMD
// kernels split their rows over helper threads with results bit-identical to one thread (and equal
// to the pure-JS cpu backend), and the thread count is validated and fixed per JS thread.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../src/index.ts';
import { initEngine, resolveThreads } from '../src/engine/init-engine.ts';
import { setSimdHelpers, splitRows } from '../src/engine/simd/simd-module.ts';
import { relErr, values } from './numbers.ts';

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  activation: 'linear' | 'relu6' | 'leakyrelu';
}

// Shapes our kernels take (direct 3x3 with fused leakyrelu, strided, a narrow last panel; the 1x1
// GEMM with ≥ 64 input channels) and big enough to be split.
const CASES: ConvCase[] = [
  { name: '3x3 s1 leakyrelu 40x40 32→24', x: [1, 40, 40, 32], filter: [3, 3, 32, 24], stride: 1, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], activation: 'leakyrelu' },
  { name: '3x3 s2 leakyrelu batch 2, 65x63 16→20', x: [2, 65, 63, 16], filter: [3, 3, 16, 20], stride: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], activation: 'leakyrelu' },
  { name: '3x3 s1 relu6 24x24 64→64', x: [1, 24, 24, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'same', activation: 'relu6' },
  // deeper than 1024 taps × channels: the row-by-row variant (convDeep), with a narrow last panel
  { name: '3x3 s2 leakyrelu 20x18 256→20 (deep filter)', x: [1, 20, 18, 256], filter: [3, 3, 256, 20], stride: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], activation: 'leakyrelu' },
  { name: '1x1 linear 64x64 96→32', x: [1, 64, 64, 96], filter: [1, 1, 96, 32], stride: 1, pad: 'valid', activation: 'linear' },
  { name: '1x1 leakyrelu batch 3, 20x20 128→48', x: [3, 20, 20, 128], filter: [1, 1, 128, 48], stride: 1, pad: 'valid', activation: 'leakyrelu' },
];

function convolve(c: ConvCase): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(c.x.reduce((a, b) => a * b), 1), c.x);
    const filter = tf.tensor4d(values(c.filter.reduce((a, b) => a * b), 2), c.filter);
    const bias = tf.tensor1d(values(c.filter[3], 3));
    return tf.fused.conv2d({ x, filter, bias, strides: c.stride, pad: c.pad as 'same', activation: c.activation, leakyreluAlpha: 0.1 }).dataSync() as Float32Array;
  });
}

describe('splitRows', () => {
  it('covers every row once, in whole blocks, with no part below the minimum', () => {
    expect(splitRows(100, 2, 4, 1)).toEqual([[0, 48], [48, 100]]);
    expect(splitRows(10, 4, 4, 1)).toEqual([[0, 4], [4, 10]]);
    expect(splitRows(6, 2, 4, 1)).toEqual([[0, 6]]);
    expect(splitRows(100, 2, 4, 80)).toEqual([[0, 100]]);
    expect(splitRows(3, 2, 1, 1)).toEqual([[0, 1], [1, 3]]);
    for (const [total, parts, align, min] of [[1601, 3, 4, 10], [400, 2, 4, 100], [7, 8, 1, 1], [13, 3, 4, 1]] as const) {
      const split = splitRows(total, parts, align, min);
      expect(split[0][0]).toBe(0);
      expect(split.at(-1)?.[1]).toBe(total);
      split.forEach(([start, end], i) => {
        expect(end - start).toBeGreaterThanOrEqual(Math.min(align, total));
        if (i > 0) expect(start).toBe(split[i - 1][1]);
        if (i < split.length - 1) expect(end % align).toBe(0);
      });
    }
  });
});

describe('threaded wasm', () => {
  it('rejects a thread count that is not a positive integer', () => {
    expect(() => resolveThreads('two')).toThrow(EngineError);
    expect(() => resolveThreads(0)).toThrow(/positive integer/);
    expect(resolveThreads('3')).toBe(3);
  });

  it('starts the threaded build with the requested pool (whatever the core count)', async () => {
    const choice = await initEngine({ backend: 'wasm', threads: 2 });
    expect(choice.threads).toBe(2);
    expect(choice.reason).toMatch(/2 threads/);
    // The count is fixed once the backend runs: asking for another is an error, not asking keeps it.
    await expect(initEngine({ backend: 'wasm', threads: 3 })).rejects.toThrow(/already runs with 2 thread/);
    expect((await initEngine({ backend: 'wasm' })).threads).toBe(2);
  });

  it.each(CASES)('$name: split over the helpers = one thread (bitwise) = cpu backend', async (c) => {
    await initEngine({ backend: 'wasm', threads: 2 });
    const helpers = setSimdHelpers(undefined);
    expect(helpers?.count).toBe(1);
    let started = 0;
    setSimdHelpers({
      memory: helpers!.memory,
      count: helpers!.count,
      start: (...args) => {
        started++;
        helpers!.start(...args);
      },
      wait: () => helpers!.wait(),
    });
    try {
      const split = convolve(c);
      expect(started).toBeGreaterThan(0);
      // The same kernels without helpers: every part on this thread.
      setSimdHelpers(undefined);
      const single = convolve(c);
      await tf.setBackend('cpu');
      const reference = convolve(c);
      expect(Array.from(split)).toEqual(Array.from(single));
      expect(relErr(split, reference)).toBeLessThan(1e-5);
    } finally {
      setSimdHelpers(helpers);
      await tf.setBackend('wasm');
    }
  });

  it('lets a process that used it exit on its own (the pool threads do not hold it open)', () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const nodeEntry = pathToFileURL(path.resolve(here, '../src/node.ts')).href;
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const code = `
      const tf = await import(${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core')).href)});
      const { initEngine } = await import(${JSON.stringify(nodeEntry)});
      const choice = await initEngine({ backend: 'wasm', threads: 2 });
      const x = tf.ones([1, 32, 32, 64]);
      const w = tf.ones([3, 3, 64, 64]);
      const y = tf.fused.conv2d({ x, filter: w, pad: 'same', strides: 1, activation: 'leakyrelu' });
      console.log(choice.threads, y.dataSync()[0]);
    `;
    const dir = mkdtempSync(path.join(tmpdir(), 'distillery-threads-'));
    const script = path.join(dir, 'exits.mjs');
    writeFileSync(script, code);
    const child = spawnSync(process.execPath, ['--import', tsx, script], { cwd: here, encoding: 'utf8', timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(child.error, child.stderr).toBeUndefined();
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout.trim()).toBe('2 256');
  }, 90_000);
});
