// Sum on wasm, replacing the stock kernel for reductions over the LEADING axes, [R, B] → [B]: the
// stock kernel first transposes the reduced axes to the end, and its strided transpose slows down
// 5-10x when the row count has a large power-of-two factor — which N·H·W of our images always has
// (a [51200, 96] sum over axis 0 measured ~40 ms, ours ~8; [12800, 144] ~11 vs ~3). These are the
// reductions that the gradients of broadcast ops and batch norm produce (sum over N, H, W of an
// NHWC tensor). One JS pass over the heap, accumulated in float64. Middle-axis and trailing-axis
// reductions measured as fast or faster in the stock kernel and stay there.
import { backend_util, Sum, util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapF32, runStockKernel, stockSetup, type WasmBackendLike } from './kernel-utils.ts';

/**
 * The shape as [A, R, B] (kept, reduced, kept) when the reduced axes, after dropping size-1 axes,
 * form one leading block (A = 1) followed by kept axes; otherwise null (the stock kernel's cases).
 */
export function leadingOrMiddleReduction(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  const dims = shape.map((size, i) => ({ size, reduced: axes.includes(i) })).filter((d) => d.size !== 1);
  const first = dims.findIndex((d) => d.reduced);
  if (first < 0) return null;
  let last = first;
  while (last + 1 < dims.length && dims[last + 1].reduced) last++;
  if (dims.slice(last + 1).some((d) => d.reduced)) return null;
  if (last === dims.length - 1) return null; // trailing: the stock kernel needs no transpose
  if (first > 0) return null; // middle: measured no faster than the stock kernel
  const prod = (from: number, to: number) => dims.slice(from, to).reduce((p, d) => p * d.size, 1);
  return [prod(0, first), prod(first, last + 1), prod(last + 1, dims.length)];
}

function sum(args: { inputs: { x: TensorInfo }; backend: WasmBackendLike; attrs: SumAttrs }): TensorInfo {
  const { inputs: { x }, backend: b, attrs: { axis, keepDims } } = args;
  const axes = util.parseAxisParam(axis, x.shape);
  const arr = x.dtype === 'float32' ? leadingOrMiddleReduction(x.shape, axes) : null;
  if (arr === null) return runStockKernel(Sum, args);
  const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  const out = b.makeOutput(keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape, 'float32');
  const target = heapF32(b, out);
  const source = heapF32(b, x);
  const [outer, reduce, inner] = arr;
  const acc = new Float64Array(inner);
  for (let a = 0; a < outer; a++) {
    acc.fill(0);
    let offset = a * reduce * inner;
    for (let r = 0; r < reduce; r++, offset += inner) {
      for (let i = 0; i < inner; i++) acc[i] += source[offset + i];
    }
    const o = a * inner;
    for (let i = 0; i < inner; i++) target[o + i] = acc[i];
  }
  return out;
}

export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'wasm',
  kernelFunc: sum as unknown as KernelFunc,
  setupFunc: stockSetup(Sum),
};
