// Fused training-mode batch norm + activation on wasm (see batch-norm/batch-norm-act-math.ts):
// two WebAssembly SIMD passes over the wasm heap (simd/), or three JS passes where SIMD is
// unavailable, instead of ~10 stock kernels, each allocating a tensor.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { batchNormActForward } from '../batch-norm/batch-norm-act-math.ts';
import { BatchNormActTrain, type BatchNormActKernelAttrs } from '../batch-norm/kernel-names.ts';
import { simdBatchNormActForward } from '../simd/batch-norm-act-forward.ts';
import { heapF32, type WasmBackendLike } from './kernel-utils.ts';

function batchNormActTrain(args: { inputs: { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo }; backend: WasmBackendLike; attrs: BatchNormActKernelAttrs }): TensorInfo[] {
  const { inputs: { x, gamma, beta }, backend: b, attrs } = args;
  const c = gamma.shape[0];
  const y = b.makeOutput(x.shape, 'float32');
  const mean = b.makeOutput([c], 'float32');
  const variance = b.makeOutput([c], 'float32');
  if (simdBatchNormActForward(b, x, gamma, beta, attrs, y, mean, variance)) return [y, mean, variance];
  batchNormActForward(heapF32(b, x), heapF32(b, gamma), heapF32(b, beta), attrs, heapF32(b, y), heapF32(b, mean), heapF32(b, variance));
  return [y, mean, variance];
}

export const batchNormActTrainConfig: KernelConfig = {
  kernelName: BatchNormActTrain,
  backendName: 'wasm',
  kernelFunc: batchNormActTrain as unknown as KernelFunc,
};
