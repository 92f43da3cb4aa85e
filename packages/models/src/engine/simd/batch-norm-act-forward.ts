// Fused training batch norm + activation forward with the SIMD kernel (wat/batch-norm-act-forward.wat):
// one vector pass for the float64 statistics, one for y = act(x·alpha + shift). The per-channel
// arithmetic in between is the JS kernel's (batch-norm/batch-norm-act-math.ts).
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { scaleAndShift, statisticsFromSums, type BatchNormActAttrs, type BatchNormActivation } from '../batch-norm/batch-norm-act-math.ts';
import { heapF32, type WasmBackendLike } from '../wasm-kernels/kernel-utils.ts';
import { simdKernel } from './simd-module.ts';

interface ForwardKernel {
  stats(x: number, pixels: number, c: number, center: number, acc: number, sum: number, sumSq: number): void;
  apply(x: number, y: number, pixels: number, c: number, alpha: number, shift: number, mode: number, slope: number): void;
}

/** The kernels' activation code. */
export const ACTIVATION_MODE: Record<BatchNormActivation, number> = { linear: 0, relu6: 1, leakyrelu: 2 };

/** Fills y, mean, variance (already allocated); false when the SIMD kernel is unavailable. */
export function simdBatchNormActForward(
  b: WasmBackendLike,
  x: TensorInfo,
  gamma: TensorInfo,
  beta: TensorInfo,
  attrs: BatchNormActAttrs,
  y: TensorInfo,
  mean: TensorInfo,
  variance: TensorInfo,
): boolean {
  const c = gamma.shape[0];
  const pixels = x.shape.reduce((p, q) => p * q, 1) / c;
  if (pixels === 0 || c === 0) return false;
  const simd = simdKernel<ForwardKernel>(b, 'batch-norm-act-forward');
  if (simd === undefined) return false;
  // Scratch: float32 block sums [2c], float64 sums [2c], float32 alpha and shift [c each]; the
  // statistics are centred on the first pixel (see the kernel), which the alpha slot holds first.
  simd.withScratch(32 * c, (p) => {
    const [acc, sums, alphaShift] = [p, p + 8 * c, p + 24 * c];
    simd.f64(sums, 2 * c).fill(0);
    const center = simd.f32(alphaShift, c);
    center.set(heapF32(b, x).subarray(0, c));
    simd.kernel.stats(heapF32(b, x).byteOffset, pixels, c, alphaShift, acc, sums, sums + 8 * c);
    const meanView = heapF32(b, mean);
    const varianceView = heapF32(b, variance);
    statisticsFromSums(simd.f64(sums, c), simd.f64(sums + 8 * c, c), pixels, meanView, varianceView, center);
    const [alpha, shift] = scaleAndShift(heapF32(b, gamma), heapF32(b, beta), meanView, varianceView, attrs.eps);
    simd.f32(alphaShift, c).set(alpha);
    simd.f32(alphaShift + 4 * c, c).set(shift);
    simd.kernel.apply(heapF32(b, x).byteOffset, heapF32(b, y).byteOffset, pixels, c, alphaShift, alphaShift + 4 * c, ACTIVATION_MODE[attrs.activation], attrs.leakyAlpha);
  });
  return true;
}
