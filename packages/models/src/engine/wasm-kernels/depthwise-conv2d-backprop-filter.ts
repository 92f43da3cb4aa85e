// DepthwiseConv2dNativeBackpropFilter on wasm (missing from the stock backend, tensorflow/tfjs#8474):
//   dW[a,b,c,q] = Σ_{n,i,j} x[n, i·s+a-pt, j·s+b-pl, c] · dy[n,i,j,c·m+q]
// The batch is folded into the channels so the whole sum is ONE XNNPACK depthwise convolution:
// input x^T[1,H,W,(n,c)], filter dy^T[Ho,Wo,(n,c),m] at stride 1 / dilation s, giving
// [1,kh,kw,(n,c,q)]; a sum over n finishes it.
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { filterGradientPads } from './conv2d-backprop-filter.ts';
import { convWithPadsOrCrops, disposeInfos, reshape, runWasmKernel, transpose, type WasmBackendLike } from './kernel-utils.ts';

function depthwiseBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: WasmBackendLike;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs: { x, dy }, backend: b, attrs } = args;
  const [kh, kw, c, m] = attrs.filterShape;
  const convInfo = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true,
  );
  if (convInfo.dilationHeight !== 1 || convInfo.dilationWidth !== 1) {
    throw new Error('wasm DepthwiseConv2dNativeBackpropFilter supports dilation 1 only');
  }
  const [n, h, w] = x.shape;
  const [, ho, wo] = dy.shape;
  const xT = transpose(b, x, [1, 2, 0, 3]);
  const xFolded = reshape(b, xT, [1, h, w, n * c]);
  const dyT = transpose(b, dy, [1, 2, 0, 3]);
  const dyFolded = reshape(b, dyT, [ho, wo, n * c, m]);
  const perImage = convWithPadsOrCrops(b, 'DepthwiseConv2dNative', xFolded, dyFolded, filterGradientPads(convInfo), [convInfo.strideHeight, convInfo.strideWidth]);
  const split = reshape(b, perImage, [kh, kw, n, c * m]);
  const summed = runWasmKernel(b, 'Sum', { x: split }, { axis: [2], keepDims: false });
  const dW = reshape(b, summed, [kh, kw, c, m]);
  disposeInfos(b, xT, xFolded, dyT, dyFolded, perImage, split, summed);
  return dW;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as KernelFunc,
};
