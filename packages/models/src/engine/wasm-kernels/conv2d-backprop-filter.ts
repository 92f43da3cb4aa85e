// Conv2DBackpropFilter (the filter gradient of a convolution) on wasm, missing from the stock backend,
// as ONE forward convolution on transposed tensors (measured 12.4 GFLOP/s vs 1.6 for im2col+matMul):
//   dW[a,b,ci,co] = Σ_{n,i,j} x[n, i·s+a-pt, j·s+b-pl, ci] · dy[n,i,j,co]
// is a `valid`-style convolution of X' = x^T[ci,H,W,n] (batch = ci, channels = n) with the filter
// F' = dy^T[i,j,n,co], at stride 1 and dilation s, whose [ci,kh,kw,co] output is transposed back.
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convWithPadsOrCrops, disposeInfos, heapF32, int32View, runWasmKernel, transpose, type WasmBackendLike } from './kernel-utils.ts';
import { transposeInto } from './transpose.ts';
import { simdPointwiseFilterGradient } from '../simd/pointwise-filter-gradient.ts';
import { simdConv2DFilterGradient } from '../simd/conv2d-filter-gradient.ts';

/**
 * Pads of the transposed-input convolution that yield exactly kh×kw outputs: the input keeps its
 * top/left pad, the bottom/right pad is whatever makes H + pads - s·(Ho-1) (the output size) equal kh;
 * it is negative when the forward conv never reached the last rows (e.g. `valid`, odd size, stride 2).
 */
export function filterGradientPads(convInfo: backend_util.Conv2DInfo): [number, number, number, number] {
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight, inWidth, outHeight, outWidth } = convInfo;
  const { top, left } = convInfo.padInfo;
  return [top, kh + sh * (outHeight - 1) - inHeight - top, left, kw + sw * (outWidth - 1) - inWidth - left];
}

/** Floats of x^T plus dy per chunk of the pointwise filter gradient (see below; the SIMD GEMM
 * kernel of simd/ takes the channel counts it covers). */
const POINTWISE_CHUNK_FLOATS = 1 << 17;

/**
 * 1x1 stride-1 convolutions (MobileNetV2's expand/project, YOLOv5's C3 1x1s) as GEMMs:
 * dW[ci, co] = Σ_p x[p, ci] · dy[p, co], a 1x1 convolution of x^T [ci pixels, P channels] with dy
 * as its [1, 1, P, co] filter, summed over chunks of pixels. The chunks matter: tfjs re-lays a
 * Conv2D filter out with a strided C++ transpose and XNNPACK then packs it, for a fresh dy every
 * step — one [P, co] filter with P = 200k pixels measured ~330 ms, the same sum in chunks whose
 * x^T and dy fit in L2 ~75 ms (and the general form below, whose "filter" has Ho×Wo taps of N
 * channels each, is slower still).
 */
function pointwiseFilterGradient(b: WasmBackendLike, x: TensorInfo, dy: TensorInfo): TensorInfo {
  const ci = x.shape[3];
  const co = dy.shape[3];
  const pixels = x.shape[0] * x.shape[1] * x.shape[2];
  const chunk = Math.max(64, Math.floor(POINTWISE_CHUNK_FLOATS / (ci + co)));
  const acc = new Float64Array(ci * co);
  for (let p0 = 0; p0 < pixels; p0 += chunk) {
    const k = Math.min(chunk, pixels - p0);
    const xT = b.makeOutput([1, 1, ci, k], 'float32');
    const dyPart = b.makeOutput([1, 1, k, co], 'float32');
    transposeInto(int32View(b, x).subarray(p0 * ci, (p0 + k) * ci), int32View(b, xT), [k, ci], [1, 0]);
    heapF32(b, dyPart).set(heapF32(b, dy).subarray(p0 * co, (p0 + k) * co));
    const out = runWasmKernel(b, 'Conv2D', { x: xT, filter: dyPart }, { strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC' });
    const part = heapF32(b, out);
    for (let i = 0; i < acc.length; i++) acc[i] += part[i];
    disposeInfos(b, xT, dyPart, out);
  }
  const dW = b.makeOutput([1, 1, ci, co], 'float32');
  heapF32(b, dW).set(acc);
  return dW;
}

function conv2DBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: WasmBackendLike; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const { inputs: { x, dy }, backend: b, attrs } = args;
  if (attrs.dataFormat !== 'NHWC') throw new Error(`wasm Conv2DBackpropFilter supports only NHWC, got ${attrs.dataFormat}`);
  const convInfo = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  const { top, bottom, left, right } = convInfo.padInfo;
  if (convInfo.filterHeight === 1 && convInfo.filterWidth === 1 && convInfo.strideHeight === 1 && convInfo.strideWidth === 1 && top + bottom + left + right === 0) {
    return simdPointwiseFilterGradient(b, x, dy) ?? pointwiseFilterGradient(b, x, dy);
  }
  const direct = simdConv2DFilterGradient(b, x, dy, convInfo);
  if (direct !== undefined) return direct;
  const xT = transpose(b, x, [3, 1, 2, 0]);
  const dyT = transpose(b, dy, [1, 2, 0, 3]);
  const out = convWithPadsOrCrops(b, 'Conv2D', xT, dyT, filterGradientPads(convInfo), [convInfo.strideHeight, convInfo.strideWidth]);
  const dW = transpose(b, out, [1, 2, 0, 3]);
  disposeInfos(b, xT, dyT, out);
  return dW;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
