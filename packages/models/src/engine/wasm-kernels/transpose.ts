// Transpose on wasm, replacing the stock kernel where it is slow: 2-D transposes (after merging
// axes that move together) whose both sides are large, e.g. [51200, 96] → [96, 51200], where the
// stock C++ loop's large write stride measured 20-25 ns per element; ours copies cache-sized tiles
// in JS on the heap (~3x faster there). Everything else — block copies, rank 3-4 permutations,
// 2-D with a narrow side — measured as fast or faster in the stock kernel, so it goes there.
import { Transpose, type KernelConfig, type KernelFunc, type TensorInfo, type TransposeAttrs } from '@tensorflow/tfjs-core';
import { int32View, runStockKernel, stockSetup, type WasmBackendLike } from './kernel-utils.ts';

const TILE = 64;
/** Narrower 2-D transposes are as fast in the stock kernel (measured). */
const MIN_TILED_SIDE = 32;

/** Drops size-1 axes and merges axes that stay adjacent and in order; returns [shape, perm]. */
export function simplifyPermutation(shape: readonly number[], perm: readonly number[]): [number[], number[]] {
  const kept = shape.map((s, i) => i).filter((i) => shape[i] !== 1);
  const keptPerm = perm.filter((a) => shape[a] !== 1);
  // Runs of output axes whose input axes are consecutive become one axis.
  const groups: number[][] = [];
  for (const a of keptPerm) {
    const last = groups[groups.length - 1];
    if (last !== undefined && kept.indexOf(a) === kept.indexOf(last[last.length - 1]) + 1) last.push(a);
    else groups.push([a]);
  }
  const order = [...groups].sort((g, h) => g[0] - h[0]);
  const newShape = order.map((g) => g.reduce((p, a) => p * shape[a], 1));
  const newPerm = groups.map((g) => order.indexOf(g));
  return [newShape, newPerm];
}

/**
 * out (row-major, shape = shape[perm]) ← x (row-major, shape), for a simplified permutation.
 * When the innermost axis stays innermost, the problem is the transpose of the other axes with
 * contiguous runs of `shape[r-1]` values as elements. Always on Int32Array views: one element type
 * keeps the loops monomorphic (mixed Float32Array/Int32Array calls made V8 fall back to generic
 * element access, ~7x slower), and copying int32 words keeps float bit patterns (NaN payloads) exact.
 */
export function transposeInto(x: Int32Array, out: Int32Array, shape: number[], perm: number[]): void {
  let r = shape.length;
  let block = 1;
  if (r > 1 && perm[r - 1] === r - 1) {
    block = shape[r - 1];
    r--;
  }
  if (r <= 1) {
    out.set(x);
    return;
  }
  const inStride = new Array<number>(r);
  inStride[r - 1] = block;
  for (let i = r - 2; i >= 0; i--) inStride[i] = inStride[i + 1] * shape[i + 1];
  const outShape = perm.slice(0, r).map((a) => shape[a]);
  const outStride = new Array<number>(r);
  outStride[r - 1] = block;
  for (let i = r - 2; i >= 0; i--) outStride[i] = outStride[i + 1] * outShape[i + 1];
  // Tile two axes: rows = the output axis q that is innermost in the input, cols = the last output axis.
  const q = perm.indexOf(r - 1);
  const rows = outShape[q];
  const cols = outShape[r - 1];
  const colStrideIn = inStride[perm[r - 1]];
  const rowStrideOut = outStride[q];
  const others = [...Array(r).keys()].filter((k) => k !== q && k !== r - 1);
  const idx = new Array<number>(others.length).fill(0);
  const total = others.reduce((p, k) => p * outShape[k], 1);
  for (let t = 0; t < total; t++) {
    let inBase = 0;
    let outBase = 0;
    for (let k = 0; k < others.length; k++) {
      inBase += idx[k] * inStride[perm[others[k]]];
      outBase += idx[k] * outStride[others[k]];
    }
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(rows, i0 + TILE);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const j1 = Math.min(cols, j0 + TILE);
        for (let i = i0; i < i1; i++) {
          const o = outBase + i * rowStrideOut;
          const s = inBase + i * block;
          if (block === 1) {
            for (let j = j0; j < j1; j++) out[o + j] = x[s + j * colStrideIn];
          } else {
            for (let j = j0; j < j1; j++) {
              const oj = o + j * block;
              const sj = s + j * colStrideIn;
              for (let e = 0; e < block; e++) out[oj + e] = x[sj + e];
            }
          }
        }
      }
    }
    for (let k = others.length - 1; k >= 0; k--) {
      if (++idx[k] < outShape[others[k]]) break;
      idx[k] = 0;
    }
  }
}

function transpose(args: { inputs: { x: TensorInfo }; backend: WasmBackendLike; attrs: TransposeAttrs }): TensorInfo {
  const { inputs: { x }, backend: b, attrs: { perm } } = args;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return runStockKernel(Transpose, args);
  const [shape, simple] = simplifyPermutation(x.shape, perm);
  if (!(shape.length === 2 && Math.min(shape[0], shape[1]) >= MIN_TILED_SIDE)) return runStockKernel(Transpose, args);
  const outShape = perm.map((a) => x.shape[a]);
  const out = b.makeOutput(outShape, x.dtype);
  const target = int32View(b, out);
  const source = int32View(b, x);
  transposeInto(source, target, shape, simple);
  return out;
}

export const transposeConfig: KernelConfig = {
  kernelName: Transpose,
  backendName: 'wasm',
  kernelFunc: transpose as unknown as KernelFunc,
  setupFunc: stockSetup(Transpose),
};
