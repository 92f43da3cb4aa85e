/**
 * LOCAL SHIM (training engineer), to be replaced by the engine's kernels: the stock tfjs `wasm` backend
 * has no `UnsortedSegmentSum`, which the gradient of `tf.gather` (used by compute_loss to pick the
 * matched cells) needs. Targets are few, so a JS loop over the backend's memory is cheap.
 * Registered only when missing, so the engine's own kernel wins once it exists.
 */
import { getKernel, registerKernel, type BackendValues, type KernelBackend, type TensorInfo } from '@tensorflow/tfjs-core';

interface WasmBackendLike extends KernelBackend {
  readSync(dataId: object): BackendValues;
  makeOutput(shape: number[], dtype: 'float32' | 'int32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): BackendValues;
}

export function registerWasmSegmentSumShim(): void {
  if (getKernel('UnsortedSegmentSum', 'wasm') !== undefined) return;
  registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const b = backend as WasmBackendLike;
      const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const rest = x.shape.slice(segmentIds.shape.length);
      const inner = rest.reduce((a, c) => a * c, 1);
      const ids = b.readSync(segmentIds.dataId) as Int32Array;
      const values = b.readSync(x.dataId) as Float32Array | Int32Array;
      const out = b.makeOutput([numSegments, ...rest], x.dtype === 'int32' ? 'int32' : 'float32');
      const target = b.typedArrayFromHeap(out) as Float32Array | Int32Array;
      target.fill(0);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue;
        for (let j = 0; j < inner; j++) target[s * inner + j] += values[i * inner + j];
      }
      return out;
    },
  });
}
