/**
 * The built-in strategies, keyed by their run-config `kind` (`StrategySchema` in config/run-config.ts).
 * Adding a strategy: its file + one entry here (+ its schema variant in StrategySchema).
 */
import type { Strategy } from '../config/run-config.ts';
import {
  DistillationStrategy,
  UPSTREAM_STUDENT_FEATURE_LAYERS,
  UPSTREAM_TEACHER_FEATURE_LAYERS,
} from './distill/distillation-strategy.ts';
import { SparsityStrategy } from './sparsity/sparsity-strategy.ts';
import type { TrainingStrategy } from './strategy.ts';

export type StrategyKind = Strategy['kind'];
export type StrategySpec<K extends StrategyKind = StrategyKind> = Extract<Strategy, { kind: K }>;
export type StrategyFactory<K extends StrategyKind = StrategyKind> = (
  spec: StrategySpec<K>,
) => TrainingStrategy;

export const BUILTIN_STRATEGIES: { [K in StrategyKind]: StrategyFactory<K> } = {
  'distill-output': (spec) =>
    new DistillationStrategy({
      name: 'distill-output',
      teacher: spec.teacher,
      teacherMode: spec.teacherMode,
      outputWeight: 1,
    }),
  'distill-feature': (spec) =>
    new DistillationStrategy({
      name: 'distill-feature',
      teacher: spec.teacher,
      teacherMode: spec.teacherMode,
      outputWeight: spec.outputWeight,
      feature: {
        converter: spec.converter,
        weight: spec.featureWeight,
        studentLayers: spec.studentLayers ?? UPSTREAM_STUDENT_FEATURE_LAYERS,
        teacherLayers: spec.teacherLayers ?? UPSTREAM_TEACHER_FEATURE_LAYERS,
      },
    }),
  sparsity: (spec) => new SparsityStrategy(spec.sl),
};
