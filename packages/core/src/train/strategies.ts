/**
 * The run config's strategies as set-up `TrainingStrategy` values (registry in ../strategies), and
 * the default teacher loader: a Distillery checkpoint file (its EMA weights, model YAML and nc).
 */
import type { RunConfig } from '../config/run-config.ts';
import { readCheckpoint } from '../checkpoint/file.ts';
import type { LossHyp } from '../loss/hyp.ts';
import { createStrategies as fromRegistry } from '../strategies/registry.ts';
import type { Detector, TrainingStrategy } from '../strategies/strategy.ts';
import { createTrainingModel } from './model-factory.ts';
import { loadPlain } from './state-arrays.ts';

export interface StrategySetupOptions {
  student: Detector;
  /** The effective loss hyp (cls ×nc/80; `sl` NOT yet scaled — the sparsity strategy scales it). */
  hyp: LossHyp;
  log: (line: string) => void;
  loadTeacher?: (ref: string) => Promise<Detector>;
  /** Told of every teacher loaded (data-parallel replicas get a copy of each). */
  onTeacher?: (ref: string, teacher: Detector) => void;
}

export async function createStrategies(config: RunConfig, o: StrategySetupOptions): Promise<TrainingStrategy[]> {
  const strategies = fromRegistry(config.strategies);
  const load = o.loadTeacher ?? loadTeacherCheckpoint;
  const loadTeacher = async (ref: string): Promise<Detector> => {
    const teacher = await load(ref);
    o.onTeacher?.(ref, teacher);
    return teacher;
  };
  try {
    for (const s of strategies) {
      await s.setup?.({ config, student: o.student, hyp: o.hyp, log: o.log, loadTeacher });
    }
  } catch (e) {
    strategies.forEach((s) => s.dispose());
    throw e;
  }
  return strategies;
}

/** A teacher from a checkpoint written by `train` (`last.safetensors` / `best.safetensors`): its EMA weights. */
export async function loadTeacherCheckpoint(ref: string): Promise<Detector> {
  const ckpt = await readCheckpoint(ref);
  if (!ckpt.modelYaml) throw new Error(`${ref}: the checkpoint does not record its model YAML`);
  const model = createTrainingModel({ yaml: ckpt.modelYaml, nc: ckpt.nc, seed: 0, names: ckpt.names });
  try {
    loadPlain(model, ckpt.ema, ref);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
