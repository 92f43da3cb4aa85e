// Conv2D on wasm: 1x1 stride-1 convolutions (MobileNetV2's expand/project, YOLOv5's C3 1x1s)
// through the SIMD GEMM kernel (simd/pointwise-conv2d.ts), everything else through the stock kernel.
import { Conv2D, type Conv2DAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { simdPointwiseConv2D } from '../simd/pointwise-conv2d.ts';
import { simdDirectConv2D } from '../simd/conv2d.ts';
import { simdWinogradConv2D } from '../simd/winograd-conv2d.ts';
import { runStockKernel, stockSetup, type WasmBackendLike } from './kernel-utils.ts';

function conv2D(args: { inputs: { x: TensorInfo; filter: TensorInfo }; backend: WasmBackendLike; attrs: Conv2DAttrs }): TensorInfo {
  const { inputs: { x, filter }, backend: b, attrs } = args;
  return simdPointwiseConv2D(b, { x, filter, ...attrs }) ?? simdWinogradConv2D(b, { x, filter, ...attrs }) ?? simdDirectConv2D(b, { x, filter, ...attrs }) ?? runStockKernel(Conv2D, args);
}

export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2D as unknown as KernelFunc,
  setupFunc: stockSetup(Conv2D),
};
