/**
 * The variables the optimiser trains, by name: the student's parameters (state_dict keys), then every
 * strategy's trainable modules as `extra.<strategy index>.<module index>.<key>` (S2 converters). The
 * training thread and every data-parallel replica build this map the same way, so the names (and their
 * order) fix the shared-memory layout through which parameters and gradients travel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingStrategy } from '../strategies/strategy.ts';
import type { PlainTensor } from './types.ts';

export function trainableVariables(
  student: { namedParameters(): Map<string, tf.Variable> },
  strategies: readonly TrainingStrategy[],
): Map<string, tf.Variable> {
  const trainable = new Map(student.namedParameters());
  strategies.forEach((s, i) =>
    (s.trainableModules?.() ?? []).forEach((m, j) => {
      for (const [k, v] of m.namedParameters()) trainable.set(`extra.${i}.${j}.${k}`, v);
    }),
  );
  return trainable;
}

/**
 * Restores the strategies' trained modules from a checkpoint's `extra` (keys `<i>.<j>.<key>`, as
 * written from the `extra.<i>.<j>.<key>` variables), so a resumed S2 run keeps its trained converters.
 */
export function loadExtraState(trainable: ReadonlyMap<string, tf.Variable>, extra: ReadonlyMap<string, PlainTensor>, source: string): void {
  for (const [k, p] of extra) {
    const v = trainable.get(`extra.${k}`);
    if (!v) throw new Error(`${source}: the checkpoint has strategy parameter ${k}, which this run's strategies do not have`);
    if (v.shape.join() !== p.shape.join()) throw new Error(`${source}: strategy parameter ${k} has shape [${p.shape.join(', ')}], expected [${v.shape.join(', ')}]`);
    const t = tf.tensor(p.data, p.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
}
