// DepthwiseConv2dNativeBackpropFilter (channel multiplier 1) with the SIMD kernel
// (wat/depthwise-conv2d-backprop-filter.wat): channels 4 at a time, float32 partial sums over
// ~128 output pixels added into float64.
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { heapF32, type WasmBackendLike } from '../wasm-kernels/kernel-utils.ts';
import { simdKernel } from './simd-module.ts';

interface FilterGradKernel {
  filterGrad(
    x: number, dy: number, n: number, h: number, w: number, c: number, ho: number, wo: number, kh: number, kw: number,
    sh: number, sw: number, dh: number, dw: number, top: number, left: number, acc: number, out: number,
  ): void;
}

/** Fills out [kh, kw, c, 1] (already allocated); false when the SIMD kernel is unavailable or m > 1. */
export function simdDepthwiseBackpropFilter(b: WasmBackendLike, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo, out: TensorInfo): boolean {
  const [kh, kw, c, m] = out.shape;
  if (m !== 1 || c === 0 || info.batchSize * info.outHeight * info.outWidth === 0) return false;
  const simd = simdKernel<FilterGradKernel>(b, 'depthwise-conv2d-backprop-filter');
  if (simd === undefined) return false;
  const taps = kh * kw * c;
  // Scratch: float64 sums [taps] (first: 8-byte aligned), float32 partial sums [taps].
  simd.withScratch(12 * taps, (p) => {
    const [sums, acc] = [p, p + 8 * taps];
    simd.kernel.filterGrad(
      heapF32(b, x).byteOffset, heapF32(b, dy).byteOffset, info.batchSize, info.inHeight, info.inWidth, c, info.outHeight, info.outWidth,
      kh, kw, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left, acc, sums,
    );
    heapF32(b, out).set(simd.f64(sums, taps));
  });
  return true;
}
