// ResizeNearestNeighborGrad for the pure-JS cpu backend, replacing the stock one, which reads dy at
// the IMAGE's batch stride (wrong for batch > 1: image b gets gradients from the wrong pixels) and
// ignores halfPixelCenters. The cpu backend is our reference for the wasm kernels and for tests, so
// it must be right. Written as the exact adjoint of the forward kernel: every dy pixel is added to
// the source pixel the forward pass copied it from.
import {
  ResizeNearestNeighborGrad,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type ResizeNearestNeighborGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

interface CpuBackendLike extends KernelBackend {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** The forward kernel's source index for output index `o` (tfjs/TF semantics). */
export function nearestSource(o: number, inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): number {
  const scale = alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
  const frac = halfPixelCenters ? scale * (o + 0.5) : scale * o;
  const nearest = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
  return halfPixelCenters ? Math.max(0, nearest) : nearest;
}

function resizeNearestNeighborGrad(args: { inputs: { images: TensorInfo; dy: TensorInfo }; backend: CpuBackendLike; attrs: ResizeNearestNeighborGradAttrs }): TensorInfo {
  const { inputs: { images, dy }, backend, attrs: { alignCorners, halfPixelCenters } } = args;
  const [batch, inH, inW, depth] = images.shape;
  const [, outH, outW] = dy.shape;
  const dyValues = backend.data.get(dy.dataId).values;
  const dx = new Float32Array(batch * inH * inW * depth);
  const rows = Array.from({ length: outH }, (_, r) => nearestSource(r, inH, outH, alignCorners, halfPixelCenters));
  const cols = Array.from({ length: outW }, (_, c) => nearestSource(c, inW, outW, alignCorners, halfPixelCenters));
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outH; r++) {
      const rowBase = (b * inH + rows[r]) * inW;
      for (let c = 0; c < outW; c++) {
        const base = (rowBase + cols[c]) * depth;
        for (let d = 0; d < depth; d++) dx[base + d] += dyValues[o++];
      }
    }
  }
  return backend.makeTensorInfo(images.shape, 'float32', dx);
}

export const cpuResizeNearestNeighborGradConfig: KernelConfig = {
  kernelName: ResizeNearestNeighborGrad,
  backendName: 'cpu',
  kernelFunc: resizeNearestNeighborGrad as unknown as KernelFunc,
};
