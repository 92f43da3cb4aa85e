// Sum on wasm, replacing the stock kernel for reductions over LEADING or MIDDLE axes: the stock
// kernel first transposes the reduced axes to the end with its slow strided transpose (a
// [51200, 96] sum over axis 0 took ~95 ms, i.e. 20 ns per element). These reductions are what the
// gradients of broadcast ops and of batch norm produce (sum over N, H, W of an NHWC tensor), so
// they sit on every layer's backward pass. One JS pass over the heap: out[a, b] = Σ_r x[a, r, b],
// accumulated in float64. Reductions over trailing axes stay with the stock (fast) kernel.
import { backend_util, Sum, util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapF32, runStockKernel, stockSetup, type WasmBackendLike } from './kernel-utils.ts';

/**
 * The shape as [A, R, B] (kept, reduced, kept; A or B may be 1) when the reduced axes, after
 * dropping size-1 axes, form one contiguous block that is not at the end; otherwise null.
 */
export function leadingOrMiddleReduction(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  const dims = shape.map((size, i) => ({ size, reduced: axes.includes(i) })).filter((d) => d.size !== 1);
  const first = dims.findIndex((d) => d.reduced);
  if (first < 0) return null;
  let last = first;
  while (last + 1 < dims.length && dims[last + 1].reduced) last++;
  if (dims.slice(last + 1).some((d) => d.reduced)) return null;
  if (last === dims.length - 1) return null; // trailing: the stock kernel needs no transpose
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
