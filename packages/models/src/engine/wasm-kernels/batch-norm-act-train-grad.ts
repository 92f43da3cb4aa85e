// Gradient of the fused training-mode batch norm + activation on wasm (see
// batch-norm/batch-norm-act-math.ts): two WebAssembly SIMD passes over the wasm heap (simd/; JS
// loops where SIMD is unavailable), recomputing x̂ and the
// activation mask from x, so the forward saves nothing but its input and the batch statistics.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { batchNormActBackward } from '../batch-norm/batch-norm-act-math.ts';
import { BatchNormActTrainGrad, type BatchNormActGradInputs, type BatchNormActKernelAttrs } from '../batch-norm/kernel-names.ts';
import { simdBatchNormActBackward } from '../simd/batch-norm-act-backward.ts';
import { heapF32, type WasmBackendLike } from './kernel-utils.ts';

function batchNormActTrainGrad(args: { inputs: BatchNormActGradInputs; backend: WasmBackendLike; attrs: BatchNormActKernelAttrs }): TensorInfo[] {
  const { inputs: { dy, x, gamma, beta, mean, variance }, backend: b, attrs } = args;
  const c = gamma.shape[0];
  const dx = b.makeOutput(x.shape, 'float32');
  const dgamma = b.makeOutput([c], 'float32');
  const dbeta = b.makeOutput([c], 'float32');
  if (simdBatchNormActBackward(b, args.inputs, attrs, dx, dgamma, dbeta)) return [dx, dgamma, dbeta];
  const f = (t: TensorInfo) => heapF32(b, t);
  batchNormActBackward(f(dy), f(x), f(gamma), f(beta), f(mean), f(variance), attrs, f(dx), f(dgamma), f(dbeta));
  return [dx, dgamma, dbeta];
}

export const batchNormActTrainGradConfig: KernelConfig = {
  kernelName: BatchNormActTrainGrad,
  backendName: 'wasm',
  kernelFunc: batchNormActTrainGrad as unknown as KernelFunc,
};
