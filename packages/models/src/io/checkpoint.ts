/**
 * Model checkpoints: one safetensors file with the `state_dict` in PyTorch layout under the upstream keys
 * (so the tensors load into the upstream code as they are) and a JSON-ish metadata block: the model config
 * (YAML text), class names, epoch, metrics, software version. Browser-safe (bytes in, bytes out).
 *
 * `loadModelCheckpoint` also reads core's training checkpoints (`distillery-train-checkpoint/*`, tfjs
 * layout, EMA weights under the plain keys), so the dashboard can open either.
 */
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, encodeSafetensors, type SafeFile } from './safetensors.ts';
import { exportTorch } from '../torch/export.ts';
import { importTorch } from '../torch/import.ts';
import { buildModel } from '../zoo/build.ts';
import type { YoloModel } from '../zoo/yolo-model.ts';

export const MODEL_CHECKPOINT_FORMAT = 'distillery-model/1';
export const MODELS_VERSION = '0.1.0';

export interface ModelCheckpointMeta {
  /** YAML text of the model config (nc as trained). */
  config: string;
  /** Zoo name / YAML stem, when known. */
  configName?: string;
  nc: number;
  names?: string[];
  epoch?: number;
  metrics?: Record<string, number>;
  /** Free-form extras (run id, strategy, pruning info...). */
  extra?: Record<string, unknown>;
  /** Software that wrote it. */
  software?: string;
  createdAt?: string;
}

export class CheckpointFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointFormatError';
  }
}

/** Serialises a model with its metadata. `config` defaults to the model's own YAML/config. */
export function encodeModelCheckpoint(model: YoloModel, meta: Partial<ModelCheckpointMeta> = {}): Uint8Array {
  const config = meta.config ?? model.yaml ?? JSON.stringify(model.config);
  const names = meta.names ?? model.names;
  const metadata: Record<string, string> = {
    format: MODEL_CHECKPOINT_FORMAT,
    layout: 'torch',
    config,
    nc: String(meta.nc ?? model.nc),
    software: meta.software ?? `@distillery/models ${MODELS_VERSION}`,
    created_at: meta.createdAt ?? new Date().toISOString(),
  };
  const configName = meta.configName ?? model.configName;
  if (configName) metadata.config_name = configName;
  if (names) metadata.names = JSON.stringify(names);
  if (meta.epoch !== undefined) metadata.epoch = String(meta.epoch);
  if (meta.metrics) metadata.metrics = JSON.stringify(meta.metrics);
  if (meta.extra) metadata.extra = JSON.stringify(meta.extra);
  return encodeSafetensors(exportTorch(model), metadata);
}

export interface LoadedCheckpoint {
  model: YoloModel;
  meta: ModelCheckpointMeta;
}

/**
 * Builds the model described by the checkpoint and loads its weights (strict: a tensor that is missing,
 * extra or mis-shaped is an error naming the layer and tensor).
 */
export function loadModelCheckpoint(bytes: Uint8Array, source = 'checkpoint', options: { scope?: string } = {}): LoadedCheckpoint {
  let file: SafeFile;
  try {
    file = decodeSafetensors(bytes, source);
  } catch (e) {
    throw new CheckpointFormatError(`${source}: not a readable checkpoint (${(e as Error).message})`);
  }
  const md = file.metadata;
  const isTraining = typeof md.format === 'string' && md.format.startsWith('distillery-train-checkpoint/');
  if (md.format !== MODEL_CHECKPOINT_FORMAT && !isTraining) {
    throw new CheckpointFormatError(`${source}: not a Distillery model checkpoint (format ${JSON.stringify(md.format ?? null)}, expected ${MODEL_CHECKPOINT_FORMAT})`);
  }
  const config = isTraining ? md.model_yaml : md.config;
  if (!config) throw new CheckpointFormatError(`${source}: the metadata has no model config`);
  const json = <T>(key: string): T | undefined => {
    if (md[key] === undefined) return undefined;
    try {
      return JSON.parse(md[key]) as T;
    } catch {
      throw new CheckpointFormatError(`${source}: metadata '${key}' is not valid JSON`);
    }
  };
  const nc = Number(md.nc);
  if (!Number.isInteger(nc) || nc < 1) throw new CheckpointFormatError(`${source}: metadata 'nc' is ${JSON.stringify(md.nc ?? null)}, not a class count`);
  const names = json<string[] | null>('names') ?? undefined;
  const meta: ModelCheckpointMeta = {
    config,
    configName: md.config_name,
    nc,
    names,
    epoch: md.epoch !== undefined ? Number(md.epoch) : undefined,
    metrics: json<Record<string, number>>('metrics'),
    extra: json<Record<string, unknown>>('extra'),
    software: md.software,
    createdAt: md.created_at,
  };
  let model: YoloModel;
  try {
    model = buildModel(config.includes('\n') ? config : (JSON.parse(config) as never), { nc, names, configName: meta.configName, scope: options.scope, init: 'zeros' });
  } catch (e) {
    throw new CheckpointFormatError(`${source}: its model config does not build (${(e as Error).message})`);
  }
  try {
    if (isTraining) {
      // tfjs layout, EMA weights under the plain keys; other sections carry '/' in their names.
      const values = new Map<string, tf.Tensor>();
      for (const [k, t] of file.tensors) if (!k.includes('/')) values.set(k, tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? 'int32' : 'float32'));
      try {
        model.loadStateDict(values, { source });
      } finally {
        values.forEach((v) => v.dispose());
      }
    } else importTorch(model, file, { source });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, meta };
}
