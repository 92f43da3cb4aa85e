// The engine's WebAssembly SIMD kernels (src/engine/simd/): the committed binaries are those of
// the .wat sources; on wasm they are really used; and each kernel, with SIMD on and with its JS
// fallback (SIMD off), equals the pure-JS cpu backend on shapes with channel counts that are not
// multiples of 4 (the scalar tail), 1x1 to 3x3 strides 1 and 2, batch > 1, and enough pixels to
// cross the float32 → float64 flush blocks.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { batchNormActTrain, setSimdKernelsEnabled, type BatchNormActivation } from '../src/index.ts';
import { SIMD_BINARIES, SIMD_SHARED_BINARIES } from '../src/engine/simd/simd-binaries.ts';
import { simdKernel } from '../src/engine/simd/simd-module.ts';
import type { WasmBackendLike } from '../src/engine/wasm-kernels/kernel-utils.ts';
import { compileSimdSources } from '../scripts/simd-sources.ts';
import { relErr, values } from './numbers.ts';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

afterEach(() => {
  setSimdKernelsEnabled(true);
});

describe('SIMD kernel binaries', () => {
  it('are those compiled from the .wat sources (rebuild: pnpm --filter @distillery/models build:simd)', async () => {
    const compiled = await compileSimdSources(packageRoot);
    expect([...compiled.keys()].sort()).toEqual(Object.keys(SIMD_BINARIES).sort());
    for (const [name, bytes] of compiled) {
      expect(SIMD_BINARIES[name as keyof typeof SIMD_BINARIES], name).toBe(Buffer.from(bytes.plain).toString('base64'));
      expect(SIMD_SHARED_BINARIES[name as keyof typeof SIMD_BINARIES], `${name} (shared heap)`).toBe(Buffer.from(bytes.shared).toString('base64'));
    }
  });

  it('instantiate on the wasm backend (so the kernels below test the SIMD path, not the fallback)', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as WasmBackendLike;
    for (const name of Object.keys(SIMD_BINARIES) as (keyof typeof SIMD_BINARIES)[]) expect(simdKernel(backend, name), name).toBeDefined();
    setSimdKernelsEnabled(false);
    expect(simdKernel(backend, 'batch-norm-act-forward')).toBeUndefined();
  });
});

/** The fused BN's outputs and gradients on `backend` for one case. */
async function batchNormOn(backend: string, shape: [number, number, number, number], act: BatchNormActivation, offset: number) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const size = shape.reduce((p, q) => p * q, 1);
    const c = shape[3];
    const x = tf.tensor4d(values(size, 1, 4, offset), shape);
    const gamma = tf.tensor1d(values(c, 2, 2, 2.5));
    const beta = tf.tensor1d(values(c, 3, 3, 0.5));
    const dy = tf.tensor4d(values(size, 4), shape);
    const fused = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormActTrain(xx as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, { eps: 1e-4, activation: act });
    const { y, mean, variance } = fused(x, gamma, beta);
    const grads = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fused(xx, g, b).y, dy)))([x, gamma, beta]);
    return [y, mean, variance, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

const BN_SHAPES: [number, number, number, number][] = [
  [2, 9, 11, 7], // c % 4 = 3: one vector + scalar tail; 198 pixels: several 32-pixel blocks
  [3, 5, 5, 13],
  [2, 6, 6, 16], // no tail
  [1, 4, 3, 2], // tail only
];

describe.each([true, false])('fused batch norm on wasm (SIMD %s) equals the cpu backend', (simd) => {
  for (const shape of BN_SHAPES) {
    for (const act of ['linear', 'relu6', 'leakyrelu'] as const) {
      it(`[${shape.join(',')}] ${act}`, async () => {
        const cpu = await batchNormOn('cpu', shape, act, 1);
        setSimdKernelsEnabled(simd);
        const wasm = await batchNormOn('wasm', shape, act, 1);
        ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'].forEach((name, i) => expect(relErr(wasm[i], cpu[i]), name).toBeLessThan(1e-4));
      });
    }
  }

  it('keeps float64 accuracy for a large mean (|mean| / std = 1000)', async () => {
    const shape: [number, number, number, number] = [2, 16, 16, 6];
    const cpu = await batchNormOn('cpu', shape, 'linear', 4000);
    setSimdKernelsEnabled(simd);
    const wasm = await batchNormOn('wasm', shape, 'linear', 4000);
    ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'].forEach((name, i) => expect(relErr(wasm[i], cpu[i]), name).toBeLessThan(1e-4));
  });
});

/** Runs `kernel` on `backend` with deterministic inputs of the given shapes. */
async function kernelOn(backend: string, kernel: string, inputs: Record<string, number[]>, attrs: tf.NamedAttrMap): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    let seed = 5;
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, shape] of Object.entries(inputs)) tensors[name] = tf.tensor(values(shape.reduce((p, q) => p * q, 1), seed++), shape);
    return (tf.engine().runKernel(kernel, tensors, attrs) as tf.Tensor).dataSync() as Float32Array;
  });
}

const DW_CASES: { x: [number, number, number, number]; k: number; stride: number; pad: 'same' | 'valid' }[] = [
  { x: [2, 9, 9, 7], k: 3, stride: 1, pad: 'same' },
  { x: [2, 9, 10, 7], k: 3, stride: 2, pad: 'same' },
  { x: [2, 10, 9, 13], k: 3, stride: 2, pad: 'same' },
  { x: [3, 8, 8, 5], k: 3, stride: 2, pad: 'valid' },
  { x: [2, 12, 12, 19], k: 3, stride: 1, pad: 'same' }, // 288 output pixels: crosses the 128-pixel flush
  { x: [1, 7, 7, 8], k: 1, stride: 1, pad: 'valid' },
];

describe.each([true, false])('depthwise gradients on wasm (SIMD %s) equal the cpu backend', (simd) => {
  for (const c of DW_CASES) {
    const filterShape: [number, number, number, number] = [c.k, c.k, c.x[3], 1];
    const dyShape = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.stride, 1, c.pad, undefined, true).outShape;
    const attrs = { strides: [c.stride, c.stride], pad: c.pad, dilations: [1, 1] };
    const name = `x [${c.x.join(',')}] ${c.k}x${c.k} stride ${c.stride} ${c.pad}`;
    it(`DepthwiseConv2dNativeBackpropFilter ${name}`, async () => {
      const inputs = { x: c.x, dy: dyShape };
      const cpu = await kernelOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', inputs, { ...attrs, filterShape });
      setSimdKernelsEnabled(simd);
      const wasm = await kernelOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', inputs, { ...attrs, filterShape });
      expect(relErr(wasm, cpu)).toBeLessThan(1e-4);
    });
    it(`DepthwiseConv2dNativeBackpropInput ${name}`, async () => {
      const inputs = { dy: dyShape, filter: filterShape };
      const cpu = await kernelOn('cpu', 'DepthwiseConv2dNativeBackpropInput', inputs, { ...attrs, inputShape: c.x });
      setSimdKernelsEnabled(simd);
      const wasm = await kernelOn('wasm', 'DepthwiseConv2dNativeBackpropInput', inputs, { ...attrs, inputShape: c.x });
      expect(relErr(wasm, cpu)).toBeLessThan(1e-4);
    });
  }
});

describe.each([true, false])('1x1 Conv2DBackpropFilter (GEMM) on wasm (SIMD %s) equals the cpu backend', (simd) => {
  for (const [x, co] of [
    [[2, 33, 35, 16], 24], // 2310 pixels: two full 1024-pixel chunks and a partial one
    [[3, 5, 7, 12], 8], // one partial chunk
    [[1, 4, 4, 32], 64],
    [[2, 9, 9, 6], 10], // channels the SIMD tiles do not cover: the XNNPACK path either way
  ] as [number[], number][]) {
    it(`x [${x.join(',')}] → ${co}`, async () => {
      const inputs = { x, dy: [...x.slice(0, 3), co] };
      const attrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: [1, 1, x[3], co] };
      const cpu = await kernelOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
      setSimdKernelsEnabled(simd);
      const wasm = await kernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
      expect(relErr(wasm, cpu)).toBeLessThan(1e-4);
    });
  }
});

/** tf.fused.conv2d (or tf.conv2d without bias and activation) on `backend`. */
async function convOn(backend: string, x: number[], filter: number[], stride: number, bias: boolean, activation: 'linear' | 'relu6' | 'leakyrelu'): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = tf.tensor4d(values(x.reduce((p, q) => p * q, 1), 7, 2), x as [number, number, number, number]);
    const w = tf.tensor4d(values(filter.reduce((p, q) => p * q, 1), 8), filter as [number, number, number, number]);
    const b = bias ? tf.tensor1d(values(filter[3], 9, 1, 0.5)) : undefined;
    const y = !bias && activation === 'linear'
      ? tf.conv2d(xs, w, stride, 'same')
      : tf.fused.conv2d({ x: xs, filter: w, strides: stride, pad: 'same', bias: b, activation, leakyreluAlpha: 0.1 });
    return y.dataSync() as Float32Array;
  });
}

describe.each([true, false])('Conv2D / FusedConv2D on wasm (SIMD %s) equal the cpu backend', (simd) => {
  for (const [x, filter, stride, bias, act] of [
    [[2, 6, 6, 67], [1, 1, 67, 16], 1, false, 'linear'], // SIMD GEMM: 72 rows, 2 column panels, k % 4 ≠ 0
    [[1, 18, 10, 64], [1, 1, 64, 8], 1, true, 'relu6'], // 180 rows: a partial 64-row block
    [[2, 5, 6, 72], [1, 1, 72, 32], 1, true, 'leakyrelu'],
    [[1, 4, 4, 96], [1, 1, 96, 24], 1, true, 'linear'],
    [[1, 4, 4, 16], [1, 1, 16, 24], 1, true, 'relu6'], // 16 input channels: the stock kernel
    [[1, 5, 5, 64], [1, 1, 64, 16], 1, true, 'relu6'], // 25 rows (not % 4): the stock kernel
    [[2, 6, 6, 64], [1, 1, 64, 12], 1, true, 'relu6'], // 12 out channels (not % 8): the stock kernel
    [[2, 7, 7, 64], [1, 1, 64, 16], 2, true, 'leakyrelu'], // 1x1 stride 2 leakyrelu: the direct kernel
    [[2, 6, 6, 8], [3, 3, 8, 16], 1, true, 'relu6'], // 3x3: the direct kernel
  ] as [number[], number[], number, boolean, 'linear' | 'relu6' | 'leakyrelu'][]) {
    it(`x [${x.join(',')}] filter [${filter.join(',')}] stride ${stride}${bias ? ' bias' : ''} ${act}`, async () => {
      const cpu = await convOn('cpu', x, filter, stride, bias, act);
      setSimdKernelsEnabled(simd);
      const wasm = await convOn('wasm', x, filter, stride, bias, act);
      expect(relErr(wasm, cpu)).toBeLessThan(1e-4);
    });
  }
});

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const pads = (t: number, b: number, l: number, r: number): Pad => [[0, 0], [t, b], [l, r], [0, 0]];

/** Direct (implicit-GEMM) convolution cases: odd sizes and channel counts, stride 1/2, every pad form. */
const DIRECT_CASES: { x: number[]; filter: number[]; stride: number; pad: Pad; note: string }[] = [
  { x: [2, 7, 9, 5], filter: [3, 3, 5, 13], stride: 1, pad: 'same', note: 'odd sizes, 13 out: a 5-wide last panel' },
  { x: [3, 9, 8, 6], filter: [3, 3, 6, 16], stride: 2, pad: pads(1, 1, 1, 1), note: 'PyTorch pad 1, stride 2, odd height' },
  { x: [2, 11, 10, 3], filter: [3, 3, 3, 8], stride: 2, pad: pads(1, 1, 1, 1), note: 'first layer: 3 input channels' },
  { x: [2, 6, 7, 12], filter: [3, 3, 12, 24], stride: 1, pad: 'valid', note: 'valid: unpadded input read in place' },
  { x: [2, 8, 8, 16], filter: [3, 3, 16, 8], stride: 2, pad: 'same', note: 'TF same at stride 2: pad 0 before, 1 after' },
  { x: [1, 9, 9, 4], filter: [5, 5, 4, 8], stride: 1, pad: pads(2, 2, 2, 2), note: '5x5' },
  { x: [2, 5, 6, 9], filter: [2, 2, 9, 16], stride: 1, pad: pads(1, 0, 0, 1), note: '2x2, asymmetric pads (input-gradient phase)' },
  { x: [1, 2, 2, 8], filter: [3, 3, 8, 8], stride: 1, pad: 'same', note: '4 output pixels: one tile' },
  { x: [1, 1, 3, 8], filter: [3, 3, 8, 8], stride: 1, pad: 'same', note: '3 output pixels: the stock kernel' },
  { x: [2, 9, 9, 8], filter: [3, 3, 8, 3], stride: 1, pad: 'same', note: '3 out channels: the stock kernel' },
  { x: [2, 13, 11, 40], filter: [3, 3, 40, 24], stride: 1, pad: 'same', note: '286 pixels: 64-pixel blocks and an overlapping last tile' },
];

/** tf.fused.conv2d / the convolution gradients on `backend` with a given pad form. */
async function directOn(backend: string, c: (typeof DIRECT_CASES)[number], what: 'linear' | 'relu6' | 'leakyrelu' | 'filter' | 'input'): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = tf.tensor4d(values(c.x.reduce((p, q) => p * q, 1), 7, 2), c.x as [number, number, number, number]);
    const w = tf.tensor4d(values(c.filter.reduce((p, q) => p * q, 1), 8), c.filter as [number, number, number, number]);
    const b = tf.tensor1d(values(c.filter[3], 9, 1, 0.5));
    const pad = c.pad as 'same';
    if (what === 'filter' || what === 'input') {
      const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.filter as [number, number, number, number], c.stride, 1, pad);
      const dy = tf.tensor4d(values(info.outShape.reduce((p, q) => p * q, 1), 10), info.outShape);
      const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1] };
      const out = what === 'filter'
        ? tf.engine().runKernel('Conv2DBackpropFilter', { x: xs, dy }, { ...attrs, filterShape: c.filter })
        : tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: c.x });
      return (out as tf.Tensor).dataSync() as Float32Array;
    }
    return tf.fused.conv2d({ x: xs, filter: w, strides: c.stride, pad, bias: b, activation: what, leakyreluAlpha: 0.1 }).dataSync() as Float32Array;
  });
}

describe.each([true, false])('direct KxK convolution and its gradients on wasm (SIMD %s) equal the cpu backend', (simd) => {
  for (const c of DIRECT_CASES) {
    const name = `x [${c.x.join(',')}] filter [${c.filter.join(',')}] stride ${c.stride} ${typeof c.pad === 'string' ? c.pad : JSON.stringify(c.pad.slice(1, 3))} (${c.note})`;
    for (const what of ['linear', 'relu6', 'leakyrelu', 'filter', 'input'] as const) {
      it(`${what === 'filter' || what === 'input' ? `${what} gradient` : `FusedConv2D ${what}`} ${name}`, async () => {
        const cpu = await directOn('cpu', c, what);
        setSimdKernelsEnabled(simd);
        const wasm = await directOn('wasm', c, what);
        expect(relErr(wasm, cpu)).toBeLessThan(1e-4);
      });
    }
  }
  it('filter gradient over several pixel chunks (2310 pixels)', async () => {
    const c = { x: [2, 33, 35, 5], filter: [3, 3, 5, 8], stride: 1, pad: 'same' as Pad, note: '' };
    const cpu = await directOn('cpu', c, 'filter');
    setSimdKernelsEnabled(simd);
    expect(relErr(await directOn('wasm', c, 'filter'), cpu)).toBeLessThan(1e-4);
  });
});
