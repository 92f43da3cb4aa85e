// Conv2DBackpropInput (the input gradient of a convolution, a.k.a. transposed convolution) on wasm,
// as ONE forward convolution: dy, with (stride-1) zeros inserted between pixels, convolved at
// stride 1 with the spatially flipped filter whose in/out channels are swapped. The forward conv
// runs in XNNPACK; the stock kernel is a scalar loop and measured ~10x slower than forward.
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convWithPadsOrCrops, dilateHW, disposeInfos, runWasmKernel, transpose, type WasmBackendLike } from './kernel-utils.ts';

/** Flips a HWIO filter in space and swaps I/O: W[a,b,ci,co] → W'[kh-1-a,kw-1-b,co,ci]. */
export function flipAndSwapFilter(b: WasmBackendLike, filter: TensorInfo): TensorInfo {
  const reversed = runWasmKernel(b, 'Reverse', { x: filter }, { dims: [0, 1] });
  const swapped = transpose(b, reversed, [0, 1, 3, 2]);
  disposeInfos(b, reversed);
  return swapped;
}

/**
 * Gradient of a stride-s convolution with respect to its input, as a stride-1 convolution of the
 * zero-dilated `dy`. Padding: top = kh-1-padTop, bottom = H - dilatedH + padTop (likewise for W);
 * negative values (exotic explicit pads) become crops.
 */
export function convInputGradient(
  b: WasmBackendLike,
  dy: TensorInfo,
  flippedFilter: TensorInfo,
  convInfo: backend_util.Conv2DInfo,
  kernelName: 'Conv2D' | 'DepthwiseConv2dNative',
): TensorInfo {
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight, inWidth } = convInfo;
  const { top, left } = convInfo.padInfo;
  const dilated = dilateHW(b, dy, sh, sw);
  const [, dh, dw] = dilated.shape;
  const pads: [number, number, number, number] = [kh - 1 - top, inHeight - dh + top, kw - 1 - left, inWidth - dw + left];
  const dx = convWithPadsOrCrops(b, kernelName, dilated, flippedFilter, pads, [1, 1]);
  disposeInfos(b, dilated);
  return dx;
}

function conv2DBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: WasmBackendLike; attrs: Conv2DBackpropInputAttrs }): TensorInfo {
  const { inputs: { dy, filter }, backend: b, attrs } = args;
  if (attrs.dataFormat !== 'NHWC') throw new Error(`wasm Conv2DBackpropInput supports only NHWC, got ${attrs.dataFormat}`);
  const convInfo = backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  const flipped = flipAndSwapFilter(b, filter);
  const dx = convInputGradient(b, dy, flipped, convInfo, 'Conv2D');
  disposeInfos(b, flipped);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
