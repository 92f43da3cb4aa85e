/**
 * Contract 4: a training strategy is a value the training loop asks for extra loss terms each step.
 * The loop (packages/core/src/train) owns the order of calls:
 *
 *   setup(ctx)                                   once, before the first step (load teacher, build converters,
 *                                                validate layouts: bad input fails HERE, before any training)
 *   for each step:
 *     beforeStep?(batch)                         outside the gradient tape (teacher forward: no gradient, and
 *                                                its intermediate tensors can be freed at once)
 *     student.forward(x, {training: true, features: union of studentFeatureLayers()})   inside the tape
 *     computeLoss(...) + Σ strategy.extraLoss(step).total                               inside the tape
 *     afterStep?()                               after the optimiser step (free what beforeStep kept)
 *   dispose()                                    once
 *
 * Variables: the loop differentiates w.r.t. the student's trainable parameters plus every strategy's
 * `trainableModules()` parameters (e.g. S2 converters), and must pass that list explicitly to
 * `tf.variableGrads` so that a teacher's variables are never differentiated.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { RunConfig } from '../config/run-config.ts';
import type { LossHyp } from '../loss/hyp.ts';

/** Options of contract 1's `YoloModel.forward`. */
export interface DetectorForwardOptions {
  training: boolean;
  /** false: train-mode BN (batch statistics) without touching running stats (teacher, gradient checks). */
  updateStats?: boolean;
  /** Layer indices whose outputs to return in `features`. */
  features?: number[];
}

export interface DetectorOutput {
  /** Per level `[bs, na, ny, nx, no]`, P3, P4, P5. */
  raw: tf.Tensor5D[];
  /** NHWC layer outputs requested through `features`. */
  features: Map<number, tf.Tensor4D>;
  decoded?: tf.Tensor3D;
}

/** The part of contract 1's `YoloModel` strategies rely on (structural, so core needs no model class). */
export interface Detector {
  readonly nc: number;
  readonly na: number;
  readonly strides: readonly number[];
  /** Per level, per anchor `[w, h]` in pixels. */
  readonly anchors: ReadonlyArray<ReadonlyArray<readonly number[]>>;
  forward(x: tf.Tensor4D, opts: DetectorForwardOptions): DetectorOutput;
  /** Every module, root first, in PyTorch `model.modules()` order (the sparsity rule indexes it). */
  namedModules?(): Array<[string, ModuleLike]>;
  dispose?(): void;
}

/** Anything with trainable parameters named like a PyTorch state_dict (contract 1 `Module` fits). */
export interface ParameterOwner {
  namedParameters(): Iterable<[string, tf.Variable]>;
}

/** A module of the model tree (contract 1 `Module`), as far as strategies look at it. */
export interface ModuleLike extends ParameterOwner {
  namedBuffers?(): Iterable<[string, tf.Variable]>;
}

/** Given once to `setup`. */
export interface StrategySetupContext {
  config: RunConfig;
  student: Detector;
  /** The effective loss hyper-parameters (cls already scaled by nc/80). */
  hyp: LossHyp;
  /**
   * Loads a teacher by reference (a run id, a checkpoint path, imported upstream weights); supplied by the
   * app that knows where runs live. A strategy needing a teacher fails in setup when it is missing.
   */
  loadTeacher?(ref: string): Promise<Detector>;
  log?(line: string): void;
}

/** One training batch as the loop feeds it, before the student forward. */
export interface StrategyBatch {
  /** NHWC `[b, h, w, 3]` in [0, 1]. */
  images: tf.Tensor4D;
  /** Rows `(image, class, cx, cy, w, h)`, normalised. */
  targets: Float32Array;
  nTargets: number;
  epoch: number;
  /** Optimiser steps / batches since the start of training. */
  iteration: number;
}

/** Given to `extraLoss` inside the gradient tape. */
export interface StepContext extends StrategyBatch {
  batchSize: number;
  /** The student's train-mode forward of this step (the same tensors the detection loss uses). */
  student: DetectorOutput;
  hyp: LossHyp;
}

export interface StrategyLoss {
  /** Added to the detection loss (already ×bs like upstream's terms). */
  total: tf.Scalar;
  /** Named parts for logging (e.g. `ldistill`, `lsparsity`, `ldistill_feature`). */
  items: Record<string, tf.Scalar>;
}

export interface TrainingStrategy {
  /** Stable name (the registry key, e.g. `distill-output`). */
  readonly name: string;
  setup?(ctx: StrategySetupContext): Promise<void> | void;
  /** Student layers whose outputs this strategy needs in `StepContext.student.features`. */
  studentFeatureLayers?(): number[];
  beforeStep?(batch: StrategyBatch): Promise<void> | void;
  extraLoss(step: StepContext): StrategyLoss;
  afterStep?(): void;
  /** Extra modules trained with the student (S2 converters); never part of the exported student. */
  trainableModules?(): ParameterOwner[];
  dispose(): void;
}

/** A strategy misconfiguration found before training (teacher layout mismatch, missing teacher...). */
export class StrategyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategyError';
  }
}
