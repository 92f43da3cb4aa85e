import * as tf from '@tensorflow/tfjs-core';
import { ModelConfigError, parseModelConfig, type ModelConfig } from './config.ts';
import { parseModel } from './parse-model.ts';
import { YoloModel } from './yolo-model.ts';
import { Conv2d } from '../layers/conv2d.ts';
import { getZooConfig } from './zoo.ts';

export interface BuildModelOptions {
  /** Override the config's number of classes (upstream `Model(cfg, nc=…)`). */
  nc?: number;
  /** Seed for the weight initialisation; random when absent. */
  seed?: number;
  /**
   * 'zeros' skips the random draws (much faster for big models): for counting params/FLOPs, or when
   * weights are loaded right after (checkpoints, importTorch). Default 'random'.
   */
  init?: 'random' | 'zeros';
  /** Prefix of the tf.Variable names (`<scope>/model.0.conv.weight`); unique by default. */
  scope?: string;
  /** Class names to attach. */
  names?: string[];
  /** Name to remember (zoo entry / YAML file stem). */
  configName?: string;
}

/**
 * Builds a model from YAML text, a parsed config object or a zoo name (`yolov5s_voc`, `mobile-yolo5s_voc`, …).
 * Weights get PyTorch's default init and upstream's Detect bias prior (`_initialize_biases`).
 */
export function buildModel(source: string | ModelConfig, options: BuildModelOptions = {}): YoloModel {
  let configName = options.configName;
  let text: string | ModelConfig = source;
  if (typeof source === 'string' && !source.includes('\n')) {
    const zoo = getZooConfig(source);
    if (!zoo) throw new Error(`unknown model '${source}': not a zoo name and not YAML text`);
    text = zoo;
    configName ??= source;
  }
  const cfg = parseModelConfig(text, configName ?? 'model config');
  if (options.nc !== undefined) {
    if (!Number.isInteger(options.nc) || options.nc < 1) throw new Error(`nc must be a positive integer, got ${options.nc}`);
    cfg.nc = options.nc;
  }
  let parsed;
  try {
    parsed = parseModel(cfg, { seed: options.seed, init: options.init });
  } catch (e) {
    if (e instanceof ModelConfigError) throw new ModelConfigError(`${configName ?? 'model config'}: ${e.message}`);
    throw e;
  }
  const model = new YoloModel(cfg, parsed, configName);
  model.materialize(options.scope);
  if (typeof text === 'string') model.yaml = text;
  if (options.names) model.names = options.names;
  if (options.init !== 'zeros') initializeDetectBiases(model);
  return model;
}

/** upstream `_initialize_biases`: objectness prior log(8/(640/s)²), class prior log(0.6/(nc−0.99)). */
function initializeDetectBiases(model: YoloModel): void {
  const detect = model.layers[model.detectIndex];
  detect.inputs.forEach((j, level) => {
    const conv = model.child('model')?.child(String(j));
    if (!(conv instanceof Conv2d) || !conv.bias) return;
    const b = conv.bias.dataSync().slice();
    const s = model.strides[level];
    for (let a = 0; a < model.na; a++) {
      b[a * model.no + 4] += Math.log(8 / (640 / s) ** 2);
      for (let c = 5; c < model.no; c++) b[a * model.no + c] += Math.log(0.6 / (model.nc - 0.99));
    }
    tf.tidy(() => (conv.bias as unknown as tf.Variable).assign(tf.tensor1d(b)));
  });
}
