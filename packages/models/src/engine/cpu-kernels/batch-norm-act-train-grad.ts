// Gradient of the fused training-mode batch norm + activation on the cpu backend (see
// batch-norm/batch-norm-act-math.ts).
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { batchNormActBackward } from '../batch-norm/batch-norm-act-math.ts';
import { BatchNormActTrainGrad, type BatchNormActGradInputs, type BatchNormActKernelAttrs } from '../batch-norm/kernel-names.ts';
import { cpuF32, type CpuBackendLike } from './cpu-backend.ts';

function batchNormActTrainGrad(args: { inputs: BatchNormActGradInputs; backend: CpuBackendLike; attrs: BatchNormActKernelAttrs }): TensorInfo[] {
  const { inputs: { dy, x, gamma, beta, mean, variance }, backend: b, attrs } = args;
  const c = gamma.shape[0];
  const dx = new Float32Array(cpuF32(b, x).length);
  const dgamma = new Float32Array(c);
  const dbeta = new Float32Array(c);
  const f = (t: TensorInfo) => cpuF32(b, t);
  batchNormActBackward(f(dy), f(x), f(gamma), f(beta), f(mean), f(variance), attrs, dx, dgamma, dbeta);
  return [b.makeTensorInfo(x.shape, 'float32', dx), b.makeTensorInfo([c], 'float32', dgamma), b.makeTensorInfo([c], 'float32', dbeta)];
}

export const cpuBatchNormActTrainGradConfig: KernelConfig = {
  kernelName: BatchNormActTrainGrad,
  backendName: 'cpu',
  kernelFunc: batchNormActTrainGrad as unknown as KernelFunc,
};
