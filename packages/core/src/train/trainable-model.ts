/**
 * What the training loop needs from a model: contract 1's detector forward plus the Module API's
 * state (structural, so any Module-based model fits and tests can use a small stand-in).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Detector } from '../strategies/strategy.ts';

export interface TrainableDetector extends Detector {
  namedParameters(): Map<string, tf.Variable>;
  /** Parameters and buffers in upstream key order, tfjs layouts (live variables). */
  stateDict(): Map<string, tf.Tensor>;
  loadStateDict(values: Map<string, tf.Tensor>, options?: { strict?: boolean; source?: string }): unknown;
  numParameters(): number;
  dispose(): void;
}

/**
 * How to build the model, as plain data so a replica thread can build the same one: an ES module
 * URL and the name of its export `(args) => Promise<TrainableDetector> | TrainableDetector`.
 */
export interface ModelFactoryRef {
  module: string;
  export: string;
  args: unknown;
}

export type ModelFactory = (args: unknown) => Promise<TrainableDetector> | TrainableDetector;

export async function buildFromFactory(ref: ModelFactoryRef): Promise<TrainableDetector> {
  const mod = (await import(ref.module)) as Record<string, unknown>;
  const f = mod[ref.export];
  if (typeof f !== 'function') throw new Error(`model factory: ${ref.module} has no function export '${ref.export}'`);
  return (f as ModelFactory)(ref.args);
}
