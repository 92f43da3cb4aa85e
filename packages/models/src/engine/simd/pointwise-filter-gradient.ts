// Filter gradient of a 1x1 stride-1 convolution, dW[ci, co] = Σ_p x[p, ci] · dy[p, co], with the
// SIMD GEMM kernel (wat/pointwise-filter-gradient.wat), for ci % 4 = 0 and co % 8 = 0.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { heapF32, type WasmBackendLike } from '../wasm-kernels/kernel-utils.ts';
import { simdKernel } from './simd-module.ts';

interface PointwiseKernel {
  filterGrad(x: number, dy: number, pixels: number, ci: number, co: number, out: number): void;
}

/** dW [1, 1, ci, co], or undefined (the caller takes its own path) when the kernel does not apply. */
export function simdPointwiseFilterGradient(b: WasmBackendLike, x: TensorInfo, dy: TensorInfo): TensorInfo | undefined {
  const ci = x.shape[3];
  const co = dy.shape[3];
  const pixels = x.shape[0] * x.shape[1] * x.shape[2];
  if (ci % 4 !== 0 || co % 8 !== 0 || ci === 0 || co === 0 || pixels === 0) return undefined;
  const simd = simdKernel<PointwiseKernel>(b, 'pointwise-filter-gradient');
  if (simd === undefined) return undefined;
  const dW = b.makeOutput([1, 1, ci, co], 'float32');
  simd.withScratch(8 * ci * co, (sums) => {
    simd.kernel.filterGrad(heapF32(b, x).byteOffset, heapF32(b, dy).byteOffset, pixels, ci, co, sums);
    heapF32(b, dW).set(simd.f64(sums, ci * co));
  });
  return dW;
}
