// DepthwiseConv2dNativeBackpropInput on wasm (missing from the stock backend, tensorflow/tfjs#8474):
// one XNNPACK depthwise convolution of the zero-dilated dy with the spatially flipped filter.
// With a channel multiplier m > 1, each of the C·m dy channels is convolved with its own flipped
// tap and the m results of an input channel are summed.
import {
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convInputGradient } from './conv2d-backprop-input.ts';
import { disposeInfos, remapFilter, reshape, runWasmKernel, type WasmBackendLike } from './kernel-utils.ts';

function depthwiseBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: WasmBackendLike;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs: { dy, filter }, backend: b, attrs } = args;
  const [kh, kw, c, m] = filter.shape;
  const convInfo = backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true,
  );
  if (convInfo.dilationHeight !== 1 || convInfo.dilationWidth !== 1) {
    throw new Error('wasm DepthwiseConv2dNativeBackpropInput supports dilation 1 only');
  }
  // Flipped in space, the C·m (channel, multiplier) pairs as C·m channels of multiplier 1.
  const flipped = remapFilter(b, filter, [kh, kw, c * m, 1], (a, bb, cq) => ((kh - 1 - a) * kw + (kw - 1 - bb)) * c * m + cq);
  const perChannel = convInputGradient(b, dy, flipped, convInfo, 'DepthwiseConv2dNative');
  disposeInfos(b, flipped);
  if (m === 1) return perChannel;
  const [n, h, w] = perChannel.shape;
  const split = reshape(b, perChannel, [n, h, w, c, m]);
  const dx = runWasmKernel(b, 'Sum', { x: split }, { axis: [4], keepDims: false });
  disposeInfos(b, perChannel, split);
  return dx;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as KernelFunc,
};
