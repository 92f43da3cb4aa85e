/** Builds upstream's optimiser: three parameter groups, SGD (Nesterov) or Adam. */
import type * as tf from '@tensorflow/tfjs-core';
import { Adam } from './adam.ts';
import type { Optimizer, ParamGroup } from './optimizer.ts';
import { PARAM_GROUP_NAMES, splitParamGroups } from './param-groups.ts';
import { NesterovSGD } from './sgd.ts';

export interface OptimizerOptions {
  kind: 'sgd' | 'adam';
  lr0: number;
  momentum: number;
  /** Already scaled by `batch·accumulate/64` (see `nominalBatchScale`); applied to pg1 only. */
  weightDecay: number;
}

export function createOptimizer(params: Iterable<[string, tf.Variable]>, o: OptimizerOptions): Optimizer {
  const split = splitParamGroups(params);
  const groups: ParamGroup[] = split.map((p, i) => ({
    name: PARAM_GROUP_NAMES[i],
    params: p,
    lr: o.lr0,
    momentum: o.momentum,
    weightDecay: i === 1 ? o.weightDecay : 0,
  }));
  return o.kind === 'adam' ? new Adam(groups) : new NesterovSGD(groups);
}
