/**
 * `pruneModel`: network slimming as upstream `pruning.py channel_prune` — threshold, plan, and a real
 * smaller network (config + weights) with its parameter and FLOP counts before and after.
 */
import type { YoloModel } from '@distillery/models';
import type { PruneSpec } from '../config/run-config.ts';
import { applyPruning } from './apply.ts';
import { planPruning, type PrunedLayer } from './plan.ts';

export interface PruneOptions {
  /** Image size for the FLOP counts (default 640, as upstream cal_flop.py). */
  img?: number;
  /** tf.Variable scope of the pruned model. */
  scope?: string;
  configName?: string;
  /** Names the source in error messages. */
  source?: string;
}

/** thop counts (upstream cal_flop.py: fused conv+BN) at `img`×`img`, batch 1. */
export interface ModelCost {
  /** Trainable parameters (PyTorch `sum(p.numel())`, what pruning.py prints). */
  params: number;
  /** Parameters of the fused model (cal_flop.py's Params). */
  fusedParams: number;
  /** MACs / 1e9 of the fused model (the upstream README's "Flops(G)"). */
  gmacs: number;
}

export interface PruneResult {
  /** The pruned network (weights = the original ones restricted to the kept channels). */
  model: YoloModel;
  /** Its config: the original YAML plus `channels` overrides. */
  yaml: string;
  /** Conv module path → output channels after pruning. */
  channels: Record<string, number>;
  /** The |γ| threshold (ratio: selected from the sorted |γ|; threshold mode: as given). */
  threshold: number;
  minAbsGamma: number;
  maxAbsGamma: number;
  /** Every prunable BN in visiting order. */
  layers: PrunedLayer[];
  before: ModelCost;
  after: ModelCost;
  img: number;
}

export function modelCost(model: YoloModel, img = 640): ModelCost {
  const fused = model.profile(img, img, true);
  return { params: model.numParameters(), fusedParams: fused.params, gmacs: fused.macs / 1e9 };
}

/**
 * Prunes the BN channels of `model` (left unchanged) by a global ratio or a fixed |γ| threshold.
 * Throws PruneError for a ratio outside (0, 1), a threshold at or above every |γ|, or a network the
 * pruner cannot follow — before anything is built.
 */
export function pruneModel(model: YoloModel, spec: PruneSpec, options: PruneOptions = {}): PruneResult {
  const img = options.img ?? 640;
  const plan = planPruning(model, spec, options.source);
  const note = spec.mode === 'ratio' ? `ratio ${spec.ratio} (|γ| threshold ${plan.threshold})` : `|γ| threshold ${spec.threshold}`;
  const { model: pruned, yaml, channels } = applyPruning(model, plan, { scope: options.scope, configName: options.configName, note });
  return {
    model: pruned,
    yaml,
    channels,
    threshold: plan.threshold,
    minAbsGamma: plan.minAbsGamma,
    maxAbsGamma: plan.maxAbsGamma,
    layers: plan.layers,
    before: modelCost(model, img),
    after: modelCost(pruned, img),
    img,
  };
}
