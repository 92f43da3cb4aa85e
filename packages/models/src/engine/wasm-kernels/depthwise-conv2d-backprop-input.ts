// DepthwiseConv2dNativeBackpropInput on wasm (missing from the stock backend, tensorflow/tfjs#8474).
// Stride 1: one XNNPACK depthwise convolution of dy with the spatially flipped filter (with a
// channel multiplier m > 1, each of the C·m dy channels is convolved with its own flipped tap and
// the m results of an input channel are summed): measured 6-12 GFLOP/s.
// Strided: one pass over the wasm heap, scattering each dy pixel through the kh×kw taps,
//   dx[n, i·s+a-pt, j·s+b-pl, c] += Σ_q dy[n,i,j,c·m+q] · W[a,b,c,q]
// with the WebAssembly SIMD kernel (simd/) for m = 1, else in JS (~0.8 GFLOP/s, vs ~0.6 for the
// s·s phase convolutions interleaved by transposes that it replaced).
import {
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { simdDepthwiseBackpropInput } from '../simd/depthwise-conv2d-backprop-input.ts';
import { convInputGradient } from './conv2d-backprop-input.ts';
import { forEachDepthwiseTap } from './depthwise-taps.ts';
import { disposeInfos, heapF32, remapFilter, reshape, runWasmKernel, type WasmBackendLike } from './kernel-utils.ts';

function viaForwardConvolution(b: WasmBackendLike, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const [kh, kw, c, m] = filter.shape;
  const flipped = remapFilter(b, filter, [kh, kw, c * m, 1], (a, bb, cq) => ((kh - 1 - a) * kw + (kw - 1 - bb)) * c * m + cq);
  const perChannel = convInputGradient(b, dy, flipped, info, 'DepthwiseConv2dNative');
  disposeInfos(b, flipped);
  if (m === 1) return perChannel;
  const [n, h, w] = perChannel.shape;
  const split = reshape(b, perChannel, [n, h, w, c, m]);
  const dx = runWasmKernel(b, 'Sum', { x: split }, { axis: [4], keepDims: false });
  disposeInfos(b, perChannel, split);
  return dx;
}

function depthwiseBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: WasmBackendLike;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs: { dy, filter }, backend: b, attrs } = args;
  const [, , c, m] = filter.shape;
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true,
  );
  if (info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1) {
    return viaForwardConvolution(b, dy, filter, info);
  }
  const out = b.makeOutput(attrs.inputShape, 'float32');
  if (simdDepthwiseBackpropInput(b, dy, filter, info, out)) return out;
  const dx = heapF32(b, out);
  const dys = heapF32(b, dy);
  const ws = heapF32(b, filter);
  dx.fill(0);
  forEachDepthwiseTap(info, m, (xOffset, dyOffset, wOffset) => {
    if (m === 1) {
      for (let ch = 0; ch < c; ch++) dx[xOffset + ch] += dys[dyOffset + ch] * ws[wOffset + ch];
      return;
    }
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let q = 0; q < m; q++) s += dys[dyOffset + ch * m + q] * ws[wOffset + ch * m + q];
      dx[xOffset + ch] += s;
    }
  });
  return out;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as KernelFunc,
};
