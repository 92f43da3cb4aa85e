// Names of the engine's own (non-tfjs) kernels for the fused training batch norm + activation.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BatchNormActAttrs } from './batch-norm-act-math.ts';

/** inputs {x, gamma, beta} → [y, mean, variance]. */
export const BatchNormActTrain = 'DistilleryBatchNormActTrain';
/** inputs {dy, x, gamma, beta, mean, variance} → [dx, dgamma, dbeta]. */
export const BatchNormActTrainGrad = 'DistilleryBatchNormActTrainGrad';

/** The kernels' attrs (a NamedAttrMap). */
export type BatchNormActKernelAttrs = BatchNormActAttrs & Record<string, number | string>;

/** BatchNormActTrainGrad's inputs. */
export interface BatchNormActGradInputs {
  dy: TensorInfo;
  x: TensorInfo;
  gamma: TensorInfo;
  beta: TensorInfo;
  mean: TensorInfo;
  variance: TensorInfo;
}
