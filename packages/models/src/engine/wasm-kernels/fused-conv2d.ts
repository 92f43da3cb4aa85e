// FusedConv2D on wasm (inference's conv + folded BN + activation): 1x1 stride-1 convolutions with
// a linear, relu6 or leakyrelu activation through the SIMD GEMM kernel (simd/pointwise-conv2d.ts),
// everything else (prelu weights, other activations, other shapes) through the stock kernel.
import { FusedConv2D, type FusedConv2DAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { simdPointwiseConv2D } from '../simd/pointwise-conv2d.ts';
import { simdDirectConv2D } from '../simd/conv2d.ts';
import { simdWinogradConv2D } from '../simd/winograd-conv2d.ts';
import { runStockKernel, stockSetup, type WasmBackendLike } from './kernel-utils.ts';

interface Inputs {
  x: TensorInfo;
  filter: TensorInfo;
  bias?: TensorInfo;
  preluActivationWeights?: TensorInfo;
}

function fusedConv2D(args: { inputs: Inputs; backend: WasmBackendLike; attrs: FusedConv2DAttrs }): TensorInfo {
  const { inputs: { x, filter, bias, preluActivationWeights }, backend: b, attrs } = args;
  if (preluActivationWeights !== undefined) return runStockKernel(FusedConv2D, args);
  return simdPointwiseConv2D(b, { x, filter, bias, ...attrs }) ?? simdWinogradConv2D(b, { x, filter, bias, ...attrs }) ?? simdDirectConv2D(b, { x, filter, bias, ...attrs }) ?? runStockKernel(FusedConv2D, args);
}

export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: 'wasm',
  kernelFunc: fusedConv2D as unknown as KernelFunc,
  setupFunc: stockSetup(FusedConv2D),
};
