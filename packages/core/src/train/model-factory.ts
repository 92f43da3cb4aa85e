/**
 * The default model factory: contract 1's `buildModel` from YAML text. A replica thread calls it with
 * the same arguments (plain data), so every replica has the same architecture and parameter names.
 */
import { buildModel } from '@distillery/models';
import type { ModelFactoryRef, TrainableDetector } from './trainable-model.ts';

export interface TrainingModelArgs {
  yaml: string;
  nc: number;
  seed: number;
  names?: string[];
  configName?: string;
}

export function createTrainingModel(a: TrainingModelArgs): TrainableDetector {
  return buildModel(a.yaml, { nc: a.nc, seed: a.seed, names: a.names, configName: a.configName });
}

export function defaultModelFactory(args: TrainingModelArgs): ModelFactoryRef {
  return { module: new URL('./model-factory.ts', import.meta.url).href, export: 'createTrainingModel', args };
}
