// The pure-JS cpu backend as our kernels see it.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

export interface CpuBackendLike extends KernelBackend {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** A float32 tensor's values (the backend's own array, not a copy). */
export function cpuF32(b: CpuBackendLike, t: TensorInfo): Float32Array {
  const v = b.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : Float32Array.from(v);
}
