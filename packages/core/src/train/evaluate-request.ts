/**
 * Runs an `EvalRequest` (contract 5's injected-evaluator input) anywhere — typically in the trainer's
 * evaluation pool, so that evaluating epoch N overlaps training epoch N+1. Builds the model from the
 * request's YAML, loads the EMA weights and evaluates the data set's validation split as train() would.
 */
import path from 'node:path';
import { initEngine } from '@distillery/models/node';
import { resolveDataset } from '../data/description/resolve.ts';
import { createDataLoader } from '../data/loader/create-data-loader.ts';
import type { SampleSource } from '../data/loader/sample-source.ts';
import { evaluateDetector, type DetailedEvalMetrics } from './evaluate.ts';
import { createTrainingModel } from './model-factory.ts';
import { loadPlain } from './state-arrays.ts';
import type { EvalRequest } from './types.ts';
import { VAL_IMAGES_DEFAULT } from './val-images.ts';

export async function evaluateRequest(req: EvalRequest, o: { backend?: string; source?: SampleSource; maxImages?: number } = {}): Promise<DetailedEvalMetrics> {
  await initEngine({ backend: o.backend ?? 'auto' });
  const description = await resolveDataset(req.data, { demoDir: path.join(req.datasetsDir ?? '.', 'demo') });
  const split = 'val' in description.splits ? 'val' : 'test' in description.splits ? 'test' : 'train';
  const loader = await createDataLoader({ description, split, batchSize: req.batch, img: req.img, augment: false, rect: true, source: o.source });
  const model = createTrainingModel({ yaml: req.modelYaml, nc: req.nc, seed: 0 });
  try {
    loadPlain(model, req.weights, `evaluation of epoch ${req.epoch}`);
    return await evaluateDetector(model, loader.epoch(0), { confThres: req.confThres, iouThres: req.iouThres, fast: req.fast, maxImages: o.maxImages, valImages: VAL_IMAGES_DEFAULT });
  } finally {
    model.dispose();
  }
}
