/**
 * `eval --weights CKPT --data DATA`: run a checkpoint on a data set's evaluation split, then the
 * metrics — core's `evaluateDetector` (eval-mode forward, NMS at conf 0.001 / IoU 0.6 as test.py,
 * rectangular letterboxed batches, test.py's P/R/mAP). The checkpoint may be a Distillery model or
 * training checkpoint (its EMA weights), or a run id (its best checkpoint).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createDataLoader, evaluateDetector, resolveDataset, type DetailedEvalMetrics } from '@distillery/core/node';
import { initEngine, readModelCheckpointFile } from '@distillery/models/node';
import { openDatabase, distilleryHome } from '@distillery/db';
import { UsageError } from '../errors.ts';
import { checkpointOfRun } from '../execution/references.ts';

export interface CheckpointEvalOptions {
  weights: string;
  data: string;
  split?: string;
  img?: number;
  batch?: number;
  confThres?: number;
  iouThres?: number;
  backend?: string;
}

export interface CheckpointEvalResult extends DetailedEvalMetrics {
  weights: string;
  data: string;
  split: string;
  img: number;
  backend: string;
}

async function checkpointFile(ref: string): Promise<string> {
  if (fs.existsSync(ref)) return ref;
  if (/[/\\.]/.test(ref)) throw new UsageError(`--weights: "${ref}" does not exist`);
  const store = await openDatabase();
  try {
    if (!(await store.getRun(ref))) throw new UsageError(`--weights: "${ref}" is neither a file nor a run id`);
    return await checkpointOfRun(store, ref);
  } finally {
    await store.close();
  }
}

export async function evaluateCheckpoint(o: CheckpointEvalOptions): Promise<CheckpointEvalResult> {
  if (o.data !== 'demo' && !fs.existsSync(o.data)) throw new UsageError(`--data: "${o.data}" does not exist (a data-set YAML or "demo")`);
  const file = await checkpointFile(o.weights);
  const engine = await initEngine({ backend: o.backend ?? process.env.DISTILLERY_BACKEND ?? 'auto' });
  let loaded;
  try {
    loaded = await readModelCheckpointFile(file);
  } catch (error) {
    throw new UsageError(`--weights: ${(error as Error).message}`);
  }
  const { model } = loaded;
  try {
    const description = await resolveDataset(o.data, { demoDir: path.join(distilleryHome(), 'datasets', 'demo') });
    const split = o.split ?? ('val' in description.splits ? 'val' : 'test' in description.splits ? 'test' : 'train');
    if (!(split in description.splits)) throw new UsageError(`--split: the data set has no split "${split}" (it has ${Object.keys(description.splits).join(', ')})`);
    const img = o.img ?? 640;
    const loader = await createDataLoader({ description, split, batchSize: o.batch ?? 8, img, augment: false, rect: true });
    if (loader.names.length !== model.nc)
      throw new UsageError(`--weights: the checkpoint detects ${model.nc} classes, the data set has ${loader.names.length}`);
    const m = await evaluateDetector(model, loader.epoch(0), { confThres: o.confThres ?? 0.001, iouThres: o.iouThres ?? 0.6, fast: false });
    return { ...m, weights: file, data: o.data, split, img, backend: engine.backend };
  } finally {
    model.dispose();
  }
}
