/** Per-parameter optimiser state tensors ("slots"), kept as tf.Variables and serialisable. */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerState } from './optimizer.ts';

export class SlotStore {
  private readonly slots = new Map<string, tf.Variable>();

  get(param: string, slot: string): tf.Variable | undefined {
    return this.slots.get(`${param}/${slot}`);
  }

  /** Creates the slot holding a copy of `init`; `init` itself is disposed. */
  create(param: string, slot: string, init: tf.Tensor): tf.Variable {
    const v = tf.variable(init, false);
    init.dispose();
    this.slots.set(`${param}/${slot}`, v);
    return v;
  }

  toArrays(): OptimizerState['slots'] {
    const out: OptimizerState['slots'] = new Map();
    for (const [k, v] of this.slots) out.set(k, { shape: [...v.shape], data: v.dataSync() as Float32Array });
    return out;
  }

  load(arrays: OptimizerState['slots'], shapeOf: (param: string) => readonly number[] | undefined): void {
    this.dispose();
    for (const [key, { shape, data }] of arrays) {
      const param = key.slice(0, key.lastIndexOf('/'));
      const expected = shapeOf(param);
      if (!expected) throw new Error(`optimizer state: unknown parameter ${param}`);
      if (expected.join(',') !== shape.join(',')) {
        throw new Error(`optimizer state: ${key} has shape [${shape}] but the parameter is [${expected}]`);
      }
      const init = tf.tensor(data, shape, 'float32');
      this.slots.set(key, tf.variable(init, false));
      init.dispose();
    }
  }

  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}
