// Fused training-mode batch norm + activation on the cpu backend (the reference for tests; see
// batch-norm/batch-norm-act-math.ts).
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { batchNormActForward } from '../batch-norm/batch-norm-act-math.ts';
import { BatchNormActTrain, type BatchNormActKernelAttrs } from '../batch-norm/kernel-names.ts';
import { cpuF32, type CpuBackendLike } from './cpu-backend.ts';

function batchNormActTrain(args: { inputs: { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo }; backend: CpuBackendLike; attrs: BatchNormActKernelAttrs }): TensorInfo[] {
  const { inputs: { x, gamma, beta }, backend: b, attrs } = args;
  const c = gamma.shape[0];
  const xs = cpuF32(b, x);
  const y = new Float32Array(xs.length);
  const mean = new Float32Array(c);
  const variance = new Float32Array(c);
  batchNormActForward(xs, cpuF32(b, gamma), cpuF32(b, beta), attrs, y, mean, variance);
  return [b.makeTensorInfo(x.shape, 'float32', y), b.makeTensorInfo([c], 'float32', mean), b.makeTensorInfo([c], 'float32', variance)];
}

export const cpuBatchNormActTrainConfig: KernelConfig = {
  kernelName: BatchNormActTrain,
  backendName: 'cpu',
  kernelFunc: batchNormActTrain as unknown as KernelFunc,
};
