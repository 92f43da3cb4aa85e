// UnsortedSegmentSum on wasm (missing from the stock backend): the gradient of tf.gather, which the
// YOLO loss uses to pick the target cells. out[s, ...] = Σ_{i: ids[i] = s} x[i, ...]. Targets are
// few, so one JS pass over the wasm heap beats any composition of stock kernels.
import { UnsortedSegmentSum, util, type KernelConfig, type KernelFunc, type TensorInfo, type UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './kernel-utils.ts';

function unsortedSegmentSum(args: { inputs: { x: TensorInfo; segmentIds: TensorInfo }; backend: WasmBackendLike; attrs: UnsortedSegmentSumAttrs }): TensorInfo {
  const { inputs: { x, segmentIds }, backend: b, attrs: { numSegments } } = args;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`wasm UnsortedSegmentSum supports float32/int32, got ${x.dtype}`);
  const rest = x.shape.slice(segmentIds.shape.length);
  const inner = util.sizeFromShape(rest);
  const out = b.makeOutput([numSegments, ...rest], x.dtype);
  // Views AFTER the allocation: a heap growth would detach earlier ones.
  const target = b.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const ids = b.typedArrayFromHeap(segmentIds) as Int32Array;
  const values = b.typedArrayFromHeap(x) as Float32Array | Int32Array;
  target.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const to = s * inner;
    const from = i * inner;
    for (let j = 0; j < inner; j++) target[to + j] += values[from + j];
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
