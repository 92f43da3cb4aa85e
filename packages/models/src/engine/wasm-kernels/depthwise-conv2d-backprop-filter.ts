// DepthwiseConv2dNativeBackpropFilter on wasm (missing from the stock backend, tensorflow/tfjs#8474):
//   dW[a,b,c,q] = Σ_{n,i,j} x[n, i·s+a-pt, j·s+b-pl, c] · dy[n,i,j,c·m+q]
// as one pass over the wasm heap, channels innermost (contiguous in both x and dy): the
// WebAssembly SIMD kernel (simd/) for a channel multiplier of 1, else a JS loop summed in float64. It costs kh·kw multiply-adds per dy element, like the forward convolution, and measured
// 5-10x faster than the earlier XNNPACK formulation (the batch folded into channels made a
// depthwise conv with a Ho×Wo "kernel", a slow path of XNNPACK: 0.5-0.9 GFLOP/s).
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { simdDepthwiseBackpropFilter } from '../simd/depthwise-conv2d-backprop-filter.ts';
import { forEachDepthwiseTap } from './depthwise-taps.ts';
import { heapF32, type WasmBackendLike } from './kernel-utils.ts';

function depthwiseBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: WasmBackendLike;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs: { x, dy }, backend: b, attrs } = args;
  const [kh, kw, c, m] = attrs.filterShape;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true,
  );
  const cm = c * m;
  const out = b.makeOutput([kh, kw, c, m], 'float32');
  if (simdDepthwiseBackpropFilter(b, x, dy, info, out)) return out;
  const acc = new Float64Array(kh * kw * cm);
  const xs = heapF32(b, x);
  const dys = heapF32(b, dy);
  forEachDepthwiseTap(info, m, (xOffset, dyOffset, accOffset) => {
    if (m === 1) {
      for (let ch = 0; ch < c; ch++) acc[accOffset + ch] += xs[xOffset + ch] * dys[dyOffset + ch];
      return;
    }
    for (let ch = 0; ch < c; ch++) {
      const xv = xs[xOffset + ch];
      for (let q = 0; q < m; q++) acc[accOffset + ch * m + q] += xv * dys[dyOffset + ch * m + q];
    }
  });
  heapF32(b, out).set(acc);
  return out;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as KernelFunc,
};
