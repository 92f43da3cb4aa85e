/**
 * The optimiser interface shared by SGD and Adam: parameter groups with their own lr / momentum /
 * weight decay (changed every iteration by the warm-up), a step that takes the accumulated gradient
 * of each parameter by name (PyTorch's `.grad`), and a serialisable state for exact resume.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { NamedParam, ParamGroupName } from './param-groups.ts';
import { SlotStore } from './slots.ts';

export interface ParamGroup {
  name: ParamGroupName;
  params: NamedParam[];
  lr: number;
  /** SGD momentum (ignored by Adam, whose betas are fixed as upstream's `optim.Adam` defaults). */
  momentum: number;
  weightDecay: number;
}

/** Per-parameter state tensors (momentum buffer, or Adam's two moments) as plain arrays. */
export interface OptimizerState {
  kind: 'sgd' | 'adam';
  /** Number of steps taken (Adam's bias correction uses it). */
  steps: number;
  groups: Array<{ name: ParamGroupName; lr: number; momentum: number; weightDecay: number }>;
  /** `<param name>/<slot>` → values; slots: `momentum_buffer`, `exp_avg`, `exp_avg_sq`. */
  slots: Map<string, { shape: number[]; data: Float32Array }>;
}

export interface Optimizer {
  readonly kind: 'sgd' | 'adam';
  readonly groups: ParamGroup[];
  readonly steps: number;
  /** Applies one update; `grads` maps a parameter name to its (accumulated) gradient. Params without a gradient are skipped, as PyTorch skips `grad is None`. */
  step(grads: ReadonlyMap<string, tf.Tensor>): void;
  getState(): OptimizerState;
  setState(state: OptimizerState): void;
  dispose(): void;
}

/**
 * What every optimiser here shares: its groups, per-parameter slot tensors and step count, and how that
 * state is saved and restored for an exact resume. Subclasses only write `step`.
 */
export abstract class SlottedOptimizer implements Optimizer {
  abstract readonly kind: 'sgd' | 'adam';
  protected readonly slots = new SlotStore();
  protected stepCount = 0;

  constructor(readonly groups: ParamGroup[]) {}

  get steps(): number {
    return this.stepCount;
  }

  abstract step(grads: ReadonlyMap<string, tf.Tensor>): void;

  getState(): OptimizerState {
    return {
      kind: this.kind,
      steps: this.stepCount,
      groups: this.groups.map((g) => ({ name: g.name, lr: g.lr, momentum: g.momentum, weightDecay: g.weightDecay })),
      slots: this.slots.toArrays(),
    };
  }

  setState(state: OptimizerState): void {
    checkGroupsMatch(this.groups, state, this.kind);
    state.groups.forEach((s, i) => Object.assign(this.groups[i], { lr: s.lr, momentum: s.momentum, weightDecay: s.weightDecay }));
    this.stepCount = state.steps;
    this.slots.load(state.slots, (p) => shapeOfParam(this.groups, p));
  }

  dispose(): void {
    this.slots.dispose();
  }
}

export function shapeOfParam(groups: ParamGroup[], name: string): readonly number[] | undefined {
  for (const g of groups) for (const p of g.params) if (p.name === name) return p.variable.shape;
  return undefined;
}

export function checkGroupsMatch(groups: ParamGroup[], state: OptimizerState, kind: string): void {
  if (state.kind !== kind) throw new Error(`optimizer state is for ${state.kind}, not ${kind}`);
  if (state.groups.length !== groups.length) {
    throw new Error(`optimizer state has ${state.groups.length} parameter groups, expected ${groups.length}`);
  }
}
