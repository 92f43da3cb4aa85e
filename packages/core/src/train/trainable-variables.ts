/**
 * The variables the optimiser trains, by name: the student's parameters (state_dict keys), then every
 * strategy's trainable modules as `extra.<strategy index>.<module index>.<key>` (S2 converters). The
 * training thread and every data-parallel replica build this map the same way, so the names (and their
 * order) fix the shared-memory layout through which parameters and gradients travel.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { TrainingStrategy } from '../strategies/strategy.ts';

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
