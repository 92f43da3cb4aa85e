// Pruning (network slimming, as upstream pruning.py): threshold, channel dependencies, plan, smaller network.
export { PruneError } from './errors.ts';
export { pruneThreshold, validatePruneSpec } from './threshold.ts';
export { ChannelSpaces } from './channel-spaces.ts';
export { buildChannelGraph, type AxisBinding, type ChannelGraph } from './channel-graph.ts';
export { planPruning, type PrunedLayer, type PruningPlan } from './plan.ts';
export { applyPruning, prunedChannels, prunedModelYaml, prunedStateDict, type ApplyOptions } from './apply.ts';
export { pruneModel, modelCost, type ModelCost, type PruneOptions, type PruneResult } from './prune-model.ts';
