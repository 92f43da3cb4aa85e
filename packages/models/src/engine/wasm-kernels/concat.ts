// Concat on wasm along the innermost axis (YOLO's channel concatenations: CSP, SPP, the head) for
// float32: each input's slice of every output row copied with wasm bulk memory copies
// (simd/wat/concat-rows.wat), split over the heap's threads. The stock kernel copies row by row
// from JS (a subarray and a set per row and input: ~0.5 ms per 80x80 concatenation); it keeps every
// other case (other axes, dtypes, a single non-empty input).
import { Concat, util, type ConcatAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { simdKernel, splitRows } from '../simd/simd-module.ts';
import { heapF32, runStockKernel, stockSetup, type WasmBackendLike } from './kernel-utils.ts';

interface ConcatRowsKernel {
  rows(dst: number, src: number, rows: number, srcRowBytes: number, dstRowBytes: number): void;
}

/** Bytes below which a part is not worth handing to another thread. */
const MIN_PART_BYTES = 256 * 1024;

function concat(args: { inputs: TensorInfo[]; backend: WasmBackendLike; attrs: ConcatAttrs }): TensorInfo {
  const { inputs, backend: b, attrs } = args;
  const rank = inputs[0]?.shape.length ?? 0;
  const axis = rank === 0 ? 0 : util.parseAxisParam(attrs.axis, inputs[0].shape)[0];
  const nonEmpty = inputs.filter((t) => util.sizeFromShape(t.shape) > 0);
  if (rank === 0 || axis !== rank - 1 || nonEmpty.length < 2 || inputs.some((t) => t.dtype !== 'float32' || t.shape.length !== rank)) return runStockKernel(Concat, args);
  const simd = simdKernel<ConcatRowsKernel>(b, 'concat-rows');
  if (simd === undefined) return runStockKernel(Concat, args);
  const rows = util.sizeFromShape(inputs[0].shape.slice(0, -1));
  if (inputs.some((t) => util.sizeFromShape(t.shape.slice(0, -1)) !== rows)) return runStockKernel(Concat, args);
  const widths = nonEmpty.map((t) => t.shape[rank - 1]);
  const total = widths.reduce((a, w) => a + w, 0);
  const y = b.makeOutput([...inputs[0].shape.slice(0, -1), total], 'float32');
  const yAt = heapF32(b, y).byteOffset;
  const parts = splitRows(rows, simd.threads, 1, Math.ceil(MIN_PART_BYTES / (4 * total)));
  let offset = 0;
  nonEmpty.forEach((t, i) => {
    const src = heapF32(b, t).byteOffset;
    const w = widths[i];
    simd.parallel('rows', parts.map(([r0, r1]) => [yAt + 4 * (r0 * total + offset), src + 4 * r0 * w, r1 - r0, 4 * w, 4 * total]));
    offset += w;
  });
  return y;
}

export const concatConfig: KernelConfig = {
  kernelName: Concat,
  backendName: 'wasm',
  kernelFunc: concat as unknown as KernelFunc,
  setupFunc: stockSetup(Concat),
};
