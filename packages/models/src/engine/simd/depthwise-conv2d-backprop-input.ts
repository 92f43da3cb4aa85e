// DepthwiseConv2dNativeBackpropInput (channel multiplier 1) with the SIMD kernel
// (wat/depthwise-conv2d-backprop-input.wat): a scatter of dy through the taps, channels 4 at a time.
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { heapF32, type WasmBackendLike } from '../wasm-kernels/kernel-utils.ts';
import { simdKernel } from './simd-module.ts';

interface InputGradKernel {
  inputGrad(
    dy: number, filter: number, dx: number, n: number, h: number, w: number, c: number, ho: number, wo: number, kh: number, kw: number,
    sh: number, sw: number, dh: number, dw: number, top: number, left: number,
  ): void;
}

/** Fills out (dx, already allocated); false when the SIMD kernel is unavailable or m > 1. */
export function simdDepthwiseBackpropInput(b: WasmBackendLike, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo, out: TensorInfo): boolean {
  const [kh, kw, c, m] = filter.shape;
  if (m !== 1 || c === 0 || info.batchSize * info.inHeight * info.inWidth === 0) return false;
  const simd = simdKernel<InputGradKernel>(b, 'depthwise-conv2d-backprop-input');
  if (simd === undefined) return false;
  simd.kernel.inputGrad(
    heapF32(b, dy).byteOffset, heapF32(b, filter).byteOffset, heapF32(b, out).byteOffset, info.batchSize, info.inHeight, info.inWidth, c,
    info.outHeight, info.outWidth, kh, kw, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
  );
  return true;
}
