// `act(x + upsample(small))` on wasm (upsample-add/kernel-name.ts) in one pass over x
// (simd/wat/upsample-add.wat), split by rows over the heap's threads, instead of resizeNearestNeighbor,
// Add and LeakyRelu (the last a scalar single-threaded loop in tfjs-wasm: 1.3 ms on 80x80x128).
// Without the kernel module, or for channel counts not divisible by 4, the same sum as a JS loop.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { UpsampleAdd, type UpsampleAddAttrs } from '../upsample-add/kernel-name.ts';
import { checkUpsampleAddShapes } from '../upsample-add/upsample-add.ts';
import { ACTIVATION_MODES } from '../simd/conv-args.ts';
import { simdKernel, splitRows } from '../simd/simd-module.ts';
import { heapF32, type WasmBackendLike } from './kernel-utils.ts';

interface UpsampleAddKernel {
  rows(x: number, small: number, y: number, r0: number, r1: number, h: number, w: number, c: number, s: number, mode: number, slope: number): void;
}

/** Rows below which a part is not worth handing to another thread. */
const MIN_PART_ROWS = 8;

/** The WAT kernel's arithmetic in JS: a float32 sum, and LeakyReLU's slope as a float32 (as PyTorch's). */
export function upsampleAddJs(x: Float32Array, small: Float32Array, y: Float32Array, shape: readonly number[], attrs: UpsampleAddAttrs): void {
  const [n, h, w, c] = shape as [number, number, number, number];
  const s = attrs.scale;
  const slope = Math.fround(attrs.leakyAlpha);
  const sum = new Float32Array(1);
  for (let img = 0; img < n; img++)
    for (let r = 0; r < h; r++)
      for (let j = 0; j < w; j++) {
        const at = ((img * h + r) * w + j) * c;
        const from = ((img * (h / s) + Math.floor(r / s)) * (w / s) + Math.floor(j / s)) * c;
        for (let q = 0; q < c; q++) {
          sum[0] = x[at + q]! + small[from + q]!;
          const v = sum[0];
          y[at + q] = attrs.activation === 'leakyrelu' ? (v > 0 ? v : v * slope) : attrs.activation === 'relu6' ? Math.min(Math.max(v, 0), 6) : v;
        }
      }
}

function upsampleAdd(args: { inputs: { x: TensorInfo; small: TensorInfo }; backend: WasmBackendLike; attrs: UpsampleAddAttrs }): TensorInfo {
  const { inputs, backend: b, attrs } = args;
  const { x, small } = inputs;
  checkUpsampleAddShapes(x.shape, small.shape, attrs.scale);
  if (x.dtype !== 'float32' || small.dtype !== 'float32') throw new Error(`upsample-add takes float32, got ${x.dtype} and ${small.dtype}`);
  const mode = ACTIVATION_MODES[attrs.activation];
  if (mode === undefined) throw new Error(`upsample-add: unknown activation '${attrs.activation}'`);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const y = b.makeOutput(x.shape, 'float32');
  const simd = c % 4 === 0 ? simdKernel<UpsampleAddKernel>(b, 'upsample-add') : undefined;
  if (simd === undefined) {
    upsampleAddJs(heapF32(b, x), heapF32(b, small), heapF32(b, y), x.shape, attrs);
    return y;
  }
  const [xAt, smallAt, yAt] = [x, small, y].map((t) => heapF32(b, t).byteOffset);
  simd.parallel(
    'rows',
    splitRows(n * h, simd.threads, 1, MIN_PART_ROWS).map(([r0, r1]) => [xAt, smallAt, yAt, r0, r1, h, w, c, attrs.scale, mode, attrs.leakyAlpha]),
  );
  return y;
}

export const upsampleAddConfig: KernelConfig = {
  kernelName: UpsampleAdd,
  backendName: 'wasm',
  kernelFunc: upsampleAdd as unknown as KernelFunc,
};
