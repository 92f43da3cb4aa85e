/**
 * The three parameter groups of upstream train.py, chosen by NAME exactly as upstream does:
 *
 *   if '.bias' in k: pg2 (biases, no decay)
 *   elif '.weight' in k and '.bn' not in k: pg1 (weight decay)
 *   else: pg0 (everything else: BN weights named `.bn.`, no decay)
 *
 * Because the rule looks at names, the MobileNetV2 blocks' BN weights (`model.2.conv.0.1.weight`: no
 * `.bn` in the name) land in the decay group, as they do upstream; only BNs called `bn`
 * (Conv/BottleneckCSP/Converter) escape decay. We keep that quirk: it is the experiment.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** Upstream's order matters: warm-up treats group 2 (biases) differently. */
export const PARAM_GROUP_NAMES = ['no-decay', 'decay', 'bias'] as const;
export type ParamGroupName = (typeof PARAM_GROUP_NAMES)[number];

export interface NamedParam {
  /** Upstream state_dict key, e.g. `model.0.conv.weight`. */
  name: string;
  variable: tf.Variable;
}

/** 0 = pg0 (no decay), 1 = pg1 (decay), 2 = pg2 (biases). */
export function upstreamGroupIndex(name: string): 0 | 1 | 2 {
  if (name.includes('.bias')) return 2;
  if (name.includes('.weight') && !name.includes('.bn')) return 1;
  return 0;
}

/** Splits trainable parameters into [pg0, pg1, pg2], keeping their order within each group. */
export function splitParamGroups(params: Iterable<[string, tf.Variable]>): [NamedParam[], NamedParam[], NamedParam[]] {
  const groups: [NamedParam[], NamedParam[], NamedParam[]] = [[], [], []];
  for (const [name, variable] of params) groups[upstreamGroupIndex(name)].push({ name, variable });
  return groups;
}
