/**
 * A flat Float32 view of a set of named tensors (all trainable parameters, or their gradients), so
 * replicas exchange them through one SharedArrayBuffer with plain memory copies.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface FlatLayout {
  names: string[];
  shapes: number[][];
  offsets: number[];
  total: number;
}

export function flatLayout(tensors: ReadonlyMap<string, tf.Tensor>): FlatLayout {
  const names: string[] = [];
  const shapes: number[][] = [];
  const offsets: number[] = [];
  let total = 0;
  for (const [name, t] of tensors) {
    names.push(name);
    shapes.push([...t.shape]);
    offsets.push(total);
    total += t.size;
  }
  return { names, shapes, offsets, total };
}

/** Copies tensors into `out` (layout order); `present[i]` says whether tensor i was given. */
export function packInto(layout: FlatLayout, tensors: ReadonlyMap<string, tf.Tensor>, out: Float32Array, present?: Uint8Array): void {
  layout.names.forEach((name, i) => {
    const t = tensors.get(name);
    if (present) present[i] = t ? 1 : 0;
    if (t) out.set(t.dataSync() as Float32Array, layout.offsets[i]);
  });
}

/** Assigns the flat values to the variables (exact copies). */
export function assignFrom(layout: FlatLayout, flat: Float32Array, vars: ReadonlyMap<string, tf.Variable>): void {
  layout.names.forEach((name, i) => {
    const v = vars.get(name);
    if (!v) throw new Error(`replica: the model has no parameter ${name}`);
    const size = layout.shapes[i].reduce((a, b) => a * b, 1);
    const t = tf.tensor(flat.slice(layout.offsets[i], layout.offsets[i] + size), layout.shapes[i], 'float32');
    v.assign(t);
    t.dispose();
  });
}

/** Tensors for the entries marked present (new tensors, owned by the caller). */
export function unpack(layout: FlatLayout, flat: Float32Array, present: Uint8Array): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  layout.names.forEach((name, i) => {
    if (!present[i]) return;
    const size = layout.shapes[i].reduce((a, b) => a * b, 1);
    out.set(name, tf.tensor(flat.slice(layout.offsets[i], layout.offsets[i] + size), layout.shapes[i], 'float32'));
  });
  return out;
}
