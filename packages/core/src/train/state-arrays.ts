/** Copies between live tensors and plain (structured-cloneable, serialisable) arrays. */
import * as tf from '@tensorflow/tfjs-core';
import type { PlainTensor } from './types.ts';

export function toPlain(tensors: ReadonlyMap<string, tf.Tensor>): Map<string, PlainTensor> {
  const out = new Map<string, PlainTensor>();
  for (const [k, t] of tensors) {
    const data = t.dataSync();
    out.set(k, t.dtype === 'int32' ? { dtype: 'int32', shape: [...t.shape], data: Int32Array.from(data) } : { dtype: 'float32', shape: [...t.shape], data: Float32Array.from(data) });
  }
  return out;
}

/** New tensors (caller disposes) from plain arrays. */
export function fromPlain(plain: ReadonlyMap<string, PlainTensor>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [k, p] of plain) out.set(k, tf.tensor(p.data, p.shape, p.dtype));
  return out;
}

/** Assigns plain arrays into a module's state through `loadStateDict` (strict). */
export function loadPlain(target: { loadStateDict(values: Map<string, tf.Tensor>, o?: { strict?: boolean; source?: string }): unknown }, plain: ReadonlyMap<string, PlainTensor>, source: string): void {
  const tensors = fromPlain(plain);
  try {
    target.loadStateDict(tensors, { strict: true, source });
  } finally {
    tensors.forEach((t) => t.dispose());
  }
}
