/**
 * Loads upstream PyTorch weights (a `state_dict` as safetensors, upstream key names) into a module.
 * Shapes are checked in PyTorch's layout, so messages show the shapes a PyTorch user knows.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describeLoadProblems, StateDictError, type LoadReport, type Module } from '../nn/module.ts';
import type { SafeFile, SafeTensor } from '../io/safetensors.ts';
import { fromTorch, torchShape } from './layout.ts';
import { sameShape } from '../nn/module.ts';

export interface ImportOptions {
  /**
   * true (default): every tensor must be present with the right shape and nothing extra, or an error names
   * them all. false: load what fits by name and shape, as upstream train.py does for pretrained weights.
   */
  strict?: boolean;
  /** Names the file in error messages. */
  source?: string;
}

export function importTorch(model: Module, weights: SafeFile | Map<string, SafeTensor>, options: ImportOptions = {}): LoadReport {
  const tensors = weights instanceof Map ? weights : weights.tensors;
  const strict = options.strict ?? true;
  const entries = model.namedEntries();
  const report: LoadReport = { loaded: [], missing: [], unexpected: [], mismatched: [] };
  const known = new Set(entries.map(([k]) => k));
  for (const [key, e] of entries) {
    const t = tensors.get(key);
    const expected = torchShape(e.tensor.shape, e.layout);
    if (!t) report.missing.push(key);
    else if (!sameShape(t.shape, expected)) report.mismatched.push({ key, expected, got: t.shape });
  }
  for (const key of tensors.keys()) if (!known.has(key)) report.unexpected.push(key);
  if (strict && (report.missing.length || report.unexpected.length || report.mismatched.length)) {
    throw new StateDictError(describeLoadProblems(report, options.source), report);
  }
  const bad = new Set(report.mismatched.map((m) => m.key));
  const values = new Map<string, tf.Tensor>();
  tf.tidy(() => {
    for (const [key, e] of entries) {
      const t = tensors.get(key);
      if (!t || bad.has(key)) continue;
      const dtype = e.tensor.dtype === 'int32' ? 'int32' : 'float32';
      const src = tf.tensor(t.data, t.shape, dtype);
      values.set(key, tf.keep(fromTorch(src, e.layout)));
    }
  });
  try {
    const r = model.loadStateDict(values, { strict: false, source: options.source });
    report.loaded = r.loaded;
  } finally {
    values.forEach((v) => v.dispose());
  }
  return report;
}
