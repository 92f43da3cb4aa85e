/**
 * Turns a pruning plan into a real smaller network: a model config with explicit channel counts
 * (`channels:` — output channels of each conv by module path, see the models package's config) and the
 * original weights restricted to the kept channels along every tied axis.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseDocument } from 'yaml';
import { buildModel, type YoloModel } from '@distillery/models';
import type { PruningPlan } from './plan.ts';
import { PruneError } from './errors.ts';

/** Output channels of every prunable plain conv after the plan (the Detect-input convs keep theirs). */
export function prunedChannels(plan: PruningPlan): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [path, space] of plan.graph.convOutputs) if (!plan.graph.spaces.isFrozen(space)) out[path] = plan.graph.spaces.size(space);
  return out;
}

/** The model's YAML (comments kept) with the `channels` overrides (and its nc) set. */
export function prunedModelYaml(model: YoloModel, channels: Record<string, number>, note?: string): string {
  const doc = model.yaml ? parseDocument(model.yaml) : parseDocument(JSON.stringify(model.config));
  if (doc.errors.length) throw new PruneError(`the model's YAML does not parse (${doc.errors[0].message})`);
  if (doc.get('nc') !== model.nc) doc.set('nc', model.nc);
  doc.set('channels', doc.createNode(channels));
  const pair = doc.contents && 'items' in doc.contents ? doc.contents.items.find((p) => String((p as { key?: unknown }).key) === 'channels') : undefined;
  const key = pair && typeof pair === 'object' && 'key' in pair ? (pair.key as { commentBefore?: string } | null) : null;
  if (key && typeof key === 'object') {
    key.commentBefore = ` Network slimming: output channels of each conv (by module path) after pruning${note ? `, ${note}` : ''}`;
  }
  return doc.toString({ lineWidth: 0 });
}

/** Original tensors restricted to the kept channels (tfjs layouts), by state_dict key. */
export function prunedStateDict(model: YoloModel, plan: PruningPlan): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [key, t] of model.stateDict()) {
    const axes = plan.graph.bindings.get(key) ?? [];
    out.set(
      key,
      tf.tidy(() => {
        let v: tf.Tensor = t;
        for (const { axis, space } of axes) {
          const kept = plan.graph.spaces.kept(space);
          if (kept.length !== v.shape[axis]) v = tf.gather(v, tf.tensor1d(kept, 'int32'), axis);
        }
        return v === t ? tf.clone(t) : v;
      }),
    );
  }
  return out;
}

export interface ApplyOptions {
  /** tf.Variable scope of the new model. */
  scope?: string;
  /** Config name to record (default `<name>-pruned`). */
  configName?: string;
  /** Appended to the YAML comment (e.g. `ratio 0.5, threshold 0.437`). */
  note?: string;
}

export function applyPruning(model: YoloModel, plan: PruningPlan, options: ApplyOptions = {}): { model: YoloModel; yaml: string; channels: Record<string, number> } {
  const channels = prunedChannels(plan);
  const yaml = prunedModelYaml(model, channels, options.note);
  const configName = options.configName ?? `${model.configName ?? 'model'}-pruned`;
  let pruned: YoloModel;
  try {
    pruned = buildModel(yaml, { nc: model.nc, names: model.names, configName, scope: options.scope });
  } catch (e) {
    throw new PruneError(`the pruned config does not build: ${(e as Error).message}`);
  }
  const values = prunedStateDict(model, plan);
  try {
    pruned.loadStateDict(values, { source: 'pruned weights' });
  } catch (e) {
    pruned.dispose();
    throw new PruneError(`the pruned weights do not fit the pruned config (a pruner bug): ${(e as Error).message}`);
  } finally {
    values.forEach((v) => v.dispose());
  }
  return { model: pruned, yaml, channels };
}
