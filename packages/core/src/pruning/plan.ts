/**
 * The pruning plan of upstream `pruning.py` (network slimming): BN layers are visited in PyTorch
 * `model.modules()` order; each prunes the channels whose CURRENT |γ| is below the threshold (strict),
 * keeping its single largest channel when all would go, and every removal propagates through the
 * channel dependencies (channel-graph.ts) — so a layer can lose channels whose own γ is large.
 */
import type { YoloModel } from '@distillery/models';
import type { PruneSpec } from '../config/run-config.ts';
import { prunableBatchNorms } from '../strategies/sparsity/upstream-module-order.ts';
import { buildChannelGraph, type ChannelGraph } from './channel-graph.ts';
import { PruneError } from './errors.ts';
import { pruneThreshold } from './threshold.ts';

export interface PrunedLayer {
  /** BN module path (`model.2.conv.0.1`). */
  bn: string;
  channelsBefore: number;
  channelsAfter: number;
  /** Channels whose own original |γ| is below the threshold. */
  ownBelowThreshold: number;
  /** Indices into the original channels that remain. */
  keptChannelIndices: number[];
}

export interface PruningPlan {
  threshold: number;
  /** Every prunable BN, in visiting order. */
  layers: PrunedLayer[];
  graph: ChannelGraph;
  minAbsGamma: number;
  maxAbsGamma: number;
}

export function planPruning(model: YoloModel, spec: PruneSpec, source = 'prune'): PruningPlan {
  const graph = buildChannelGraph(model);
  const bns = prunableBatchNorms(model);
  const gammas = new Map<string, Float32Array>();
  for (const [name, bn] of bns) gammas.set(name, Float32Array.from(bn.weight.dataSync(), Math.abs));
  const all = Float32Array.from([...gammas.values()].flatMap((g) => [...g]));
  const threshold = pruneThreshold(all, spec, source);
  const below = (v: number) => v < Math.fround(threshold);

  for (const [name] of bns) {
    const space = graph.batchNorms.get(name);
    if (space === undefined) throw new PruneError(`${source}: batch norm ${name} is not in the channel graph`);
    const g = gammas.get(name)!;
    const current = graph.spaces.kept(space).map((k) => g[k]);
    const drop: number[] = [];
    current.forEach((v, i) => {
      if (below(v)) drop.push(i);
    });
    if (drop.length === current.length) {
      let best = 0;
      for (let i = 1; i < current.length; i++) if (current[i] > current[best]) best = i;
      drop.splice(drop.indexOf(best), 1);
    }
    if (drop.length) graph.spaces.remove(space, drop);
  }

  const layers = bns.map(([name]) => {
    const space = graph.batchNorms.get(name)!;
    const g = gammas.get(name)!;
    return {
      bn: name,
      channelsBefore: g.length,
      channelsAfter: graph.spaces.size(space),
      ownBelowThreshold: g.reduce((a, v) => a + (below(v) ? 1 : 0), 0),
      keptChannelIndices: graph.spaces.kept(space),
    };
  });
  let min = Infinity;
  let max = -Infinity;
  for (const v of all) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { threshold, layers, graph, minAbsGamma: min, maxAbsGamma: max };
}
