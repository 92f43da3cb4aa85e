/**
 * Strategies in data-parallel replicas. Each replica builds the run's strategies itself, from the same
 * run config (the registry's built-in factories exist in every thread), so every share of a batch gets
 * the same extra loss terms as in the training thread:
 *
 * - Teachers: the training thread loads each teacher once (through the app's loader, whatever it is)
 *   and hands every replica a plain copy — the model config and its state (weights AND BN buffers) —
 *   from which the replica builds its own read-only teacher. A teacher in train mode normalises with
 *   the batch statistics of the share it sees, as upstream's teacher uses the batch it is given (and
 *   as single-thread accumulation of the same shares does).
 * - Trainable strategy modules (S2 converters): built in each replica by the same code and seed, then
 *   overwritten before each step from shared memory like the student's parameters — they are part of
 *   the optimiser's parameter set (`extra.<i>.<j>.<key>`, see ../trainable-variables.ts).
 * - Loss terms per share: every built-in term is already multiplied by the size of the batch it sees
 *   (upstream's ×bs), so summing the per-share gradients equals the single-thread accumulation of the same
 *   shares. That includes sparsity: `bs_k · sl · Σ‖γ‖₁ / n` over shares adds up to `bs · sl · Σ‖γ‖₁ / n`,
 *   the full batch's term, counted once in total (not once per replica).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { buildModel, type ModelConfig } from '@distillery/models';
import type { RunConfig } from '../../config/run-config.ts';
import type { LossHyp } from '../../loss/hyp.ts';
import { isBuiltinStrategy } from '../../strategies/registry.ts';
import type { Detector, TrainingStrategy } from '../../strategies/strategy.ts';
import { loadPlain, toPlain } from '../state-arrays.ts';
import { createStrategies } from '../strategies.ts';
import type { PlainTensor } from '../types.ts';

/** A teacher as plain data: enough to rebuild it in another thread. */
export interface TeacherSnapshot {
  config: ModelConfig;
  nc: number;
  state: Map<string, PlainTensor>;
}

/** What a replica needs to build the run's strategies (structured-cloneable). */
export interface ReplicaStrategies {
  config: RunConfig;
  /** Teachers by the reference the strategy specs name them with. */
  teachers: Array<[string, TeacherSnapshot]>;
}

interface RebuildableTeacher extends Detector {
  config: ModelConfig;
  stateDict(): Map<string, tf.Tensor>;
}

function isRebuildable(t: Detector): t is RebuildableTeacher {
  const r = t as Partial<RebuildableTeacher>;
  return typeof r.config === 'object' && r.config !== null && typeof r.stateDict === 'function';
}

/**
 * The replicas' description of a run's strategies, or why they cannot be replicated (the caller then
 * trains on one thread): a strategy kind registered at run time, or a teacher that is not a contract-1
 * model (no config to rebuild it from).
 */
export function replicaStrategies(
  config: RunConfig,
  teachers: ReadonlyMap<string, Detector>,
): { spec: ReplicaStrategies } | { why: string } {
  const custom = config.strategies.find((s) => !isBuiltinStrategy(s.kind));
  if (custom) return { why: `strategy '${custom.kind}' is registered in the training thread only` };
  const out: Array<[string, TeacherSnapshot]> = [];
  for (const [ref, t] of teachers) {
    if (!isRebuildable(t)) return { why: `teacher '${ref}' is not a model that can be rebuilt in a replica (no config/stateDict)` };
    out.push([ref, { config: t.config, nc: t.nc, state: toPlain(t.stateDict()) }]);
  }
  return { spec: { config, teachers: out } };
}

/** A replica's own copy of a teacher. */
export function buildTeacher(s: TeacherSnapshot, ref: string): Detector {
  const model = buildModel(s.config, { nc: s.nc, init: 'zeros' });
  try {
    loadPlain(model, s.state, `teacher '${ref}' (replica copy)`);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** The run's strategies built in a replica thread, set up against the replica's student. */
export function createReplicaStrategies(spec: ReplicaStrategies, student: Detector, hyp: LossHyp): Promise<TrainingStrategy[]> {
  const teachers = new Map(spec.teachers);
  return createStrategies(spec.config, {
    student,
    hyp,
    log: () => undefined,
    loadTeacher: async (ref) => {
      const s = teachers.get(ref);
      if (!s) throw new Error(`replica: no copy of teacher '${ref}' was handed over`);
      return buildTeacher(s, ref);
    },
  });
}
