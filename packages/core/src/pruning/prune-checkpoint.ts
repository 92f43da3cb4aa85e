/**
 * `pruneCheckpoint` (Node): read sparsity-trained weights, prune them, write the smaller network as a
 * Distillery model checkpoint plus its YAML config next to it — the input of the fine-tuning stage
 * (`model: <out>.yaml`, `weights: <out>.safetensors`), for the trainer's `prune` command and the
 * sparse → prune → fine-tune study.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildModel, importTorch, MODEL_CHECKPOINT_FORMAT, type YoloModel } from '@distillery/models';
import { readModelCheckpointFile, readSafetensorsFile, writeModelCheckpointFile } from '@distillery/models/node';
import type { PruneSpec } from '../config/run-config.ts';
import { resolveModelYaml } from '../train/resolve-model.ts';
import { PruneError } from './errors.ts';
import { pruneModel, type ModelCost } from './prune-model.ts';
import type { PrunedLayer } from './plan.ts';
import { validatePruneSpec } from './threshold.ts';

export interface PruneCheckpointOptions {
  /** Sparsity-trained weights: a Distillery model or training checkpoint, or upstream safetensors. */
  weights: string;
  spec: PruneSpec;
  /** The pruned checkpoint to write (`.safetensors`); its YAML config goes next to it (`.yaml`). */
  out: string;
  /** Only for upstream safetensors (which carry no config): a zoo name or a model YAML path. */
  model?: string;
  /** Only for upstream safetensors: the class count (default: the config's). */
  nc?: number;
  /** Image size of the reported FLOP counts (default 640). */
  img?: number;
  log?: (line: string) => void;
}

/** What was pruned, JSON-serialisable (also stored in the checkpoint's `extra.pruning`). */
export interface PruneSummary {
  spec: PruneSpec;
  source: string;
  threshold: number;
  minAbsGamma: number;
  maxAbsGamma: number;
  img: number;
  before: ModelCost;
  after: ModelCost;
  channels: Record<string, number>;
  layers: PrunedLayer[];
}

export interface PruneCheckpointResult {
  /** The pruned model checkpoint. */
  checkpoint: string;
  /** Its model config (original YAML + `channels`). */
  yamlPath: string;
  bytes: number;
  summary: PruneSummary;
}

async function loadSource(o: PruneCheckpointOptions): Promise<YoloModel> {
  let format: string | undefined;
  try {
    format = (await readSafetensorsFile(o.weights)).metadata.format;
  } catch (e) {
    throw new PruneError(`${o.weights}: cannot read the weights to prune (${(e as Error).message})`);
  }
  if (format === MODEL_CHECKPOINT_FORMAT || format?.startsWith('distillery-train-checkpoint/')) {
    return (await readModelCheckpointFile(o.weights)).model;
  }
  if (!o.model) throw new PruneError(`${o.weights}: upstream weights carry no model config; give the model (zoo name or YAML path)`);
  const { yaml, configName } = await resolveModelYaml(o.model);
  const model = buildModel(yaml, { nc: o.nc, configName });
  try {
    importTorch(model, await readSafetensorsFile(o.weights), { source: o.weights });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

export async function pruneCheckpoint(o: PruneCheckpointOptions): Promise<PruneCheckpointResult> {
  validatePruneSpec(o.spec, o.weights);
  const source = await loadSource(o);
  const stem = o.out.replace(/\.safetensors$/, '');
  const checkpoint = `${stem}.safetensors`;
  const yamlPath = `${stem}.yaml`;
  try {
    const r = pruneModel(source, o.spec, { img: o.img, source: o.weights, configName: path.basename(stem) });
    try {
      const summary: PruneSummary = {
        spec: o.spec,
        source: o.weights,
        threshold: r.threshold,
        minAbsGamma: r.minAbsGamma,
        maxAbsGamma: r.maxAbsGamma,
        img: r.img,
        before: r.before,
        after: r.after,
        channels: r.channels,
        layers: r.layers,
      };
      const bytes = await writeModelCheckpointFile(checkpoint, r.model, { config: r.yaml, extra: { pruning: summary } });
      await writeFile(yamlPath, r.yaml);
      o.log?.(
        `prune: |γ| threshold ${r.threshold} — params ${r.before.params} → ${r.after.params}, ` +
          `fused ${r.before.gmacs.toFixed(3)} → ${r.after.gmacs.toFixed(3)} GMACs at ${r.img}; wrote ${checkpoint} and ${yamlPath}`,
      );
      return { checkpoint, yamlPath, bytes, summary };
    } finally {
      r.model.dispose();
    }
  } finally {
    source.dispose();
  }
}
