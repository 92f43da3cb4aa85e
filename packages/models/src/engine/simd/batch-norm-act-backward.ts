// Gradient of the fused training batch norm + activation with the SIMD kernel
// (wat/batch-norm-act-backward.wat): one vector pass for Σg and Σg·(x - mean) (float64), one for dx.
// The per-channel arithmetic in between is the JS kernel's (batch-norm/batch-norm-act-math.ts).
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { backwardCoefficients, scaleAndShift, type BatchNormActAttrs } from '../batch-norm/batch-norm-act-math.ts';
import type { BatchNormActGradInputs } from '../batch-norm/kernel-names.ts';
import { heapF32, type WasmBackendLike } from '../wasm-kernels/kernel-utils.ts';
import { ACTIVATION_MODE } from './batch-norm-act-forward.ts';
import { simdKernel } from './simd-module.ts';

interface BackwardKernel {
  gradStats(dy: number, x: number, pixels: number, c: number, alpha: number, shift: number, mean: number, mode: number, slope: number, acc: number, sumG: number, sumGXc: number): void;
  apply(dy: number, x: number, dx: number, pixels: number, c: number, alpha: number, shift: number, mean: number, k2: number, k3: number, mode: number, slope: number): void;
}

/** Fills dx, dgamma, dbeta (already allocated); false when the SIMD kernel is unavailable. */
export function simdBatchNormActBackward(
  b: WasmBackendLike,
  inputs: BatchNormActGradInputs,
  attrs: BatchNormActAttrs,
  dx: TensorInfo,
  dgamma: TensorInfo,
  dbeta: TensorInfo,
): boolean {
  const { dy, x, gamma, beta, mean, variance } = inputs;
  const c = gamma.shape[0];
  const pixels = x.shape.reduce((p, q) => p * q, 1) / c;
  if (pixels === 0 || c === 0) return false;
  const simd = simdKernel<BackwardKernel>(b, 'batch-norm-act-backward');
  if (simd === undefined) return false;
  const mode = ACTIVATION_MODE[attrs.activation];
  // Scratch: float32 block sums [2c], float64 sums [2c], float32 alpha, shift, k2, k3 [c each].
  simd.withScratch(40 * c, (p) => {
    const [acc, sums, coefficients] = [p, p + 8 * c, p + 24 * c];
    const [alphaAt, shiftAt, k2At, k3At] = [0, 1, 2, 3].map((i) => coefficients + 4 * c * i);
    const meanView = heapF32(b, mean);
    const varianceView = heapF32(b, variance);
    const [alpha, shift] = scaleAndShift(heapF32(b, gamma), heapF32(b, beta), meanView, varianceView, attrs.eps);
    simd.f32(alphaAt, c).set(alpha);
    simd.f32(shiftAt, c).set(shift);
    simd.f64(sums, 2 * c).fill(0);
    const [dyAt, xAt] = [heapF32(b, dy).byteOffset, heapF32(b, x).byteOffset];
    simd.kernel.gradStats(dyAt, xAt, pixels, c, alphaAt, shiftAt, meanView.byteOffset, mode, attrs.leakyAlpha, acc, sums, sums + 8 * c);
    backwardCoefficients(
      simd.f64(sums, c), simd.f64(sums + 8 * c, c), varianceView, alpha, attrs.eps, pixels,
      heapF32(b, dgamma), heapF32(b, dbeta), simd.f32(k2At, c), simd.f32(k3At, c),
    );
    simd.kernel.apply(dyAt, xAt, heapF32(b, dx).byteOffset, pixels, c, alphaAt, shiftAt, meanView.byteOffset, k2At, k3At, mode, attrs.leakyAlpha);
  });
  return true;
}
