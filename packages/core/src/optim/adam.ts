/**
 * torch.optim.Adam (amsgrad off) as upstream's `--adam`: `optim.Adam(pg0, lr=lr0)` with the default
 * betas (0.9, 0.999) and eps 1e-8 — the fork does not tie beta1 to the momentum hyperparameter.
 * Weight decay is PyTorch Adam's L2 term added to the gradient (not AdamW).
 */
import * as tf from '@tensorflow/tfjs-core';
import { SlottedOptimizer, type ParamGroup } from './optimizer.ts';

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export class Adam extends SlottedOptimizer {
  readonly kind = 'adam' as const;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;

  constructor(groups: ParamGroup[], { beta1 = 0.9, beta2 = 0.999, eps = 1e-8 }: AdamOptions = {}) {
    super(groups);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
  }

  step(grads: ReadonlyMap<string, tf.Tensor>): void {
    // PyTorch keeps a step count per parameter; all our parameters step together, so one count suffices.
    const t = this.stepCount + 1;
    const bc1 = 1 - this.beta1 ** t;
    const bc2 = 1 - this.beta2 ** t;
    for (const group of this.groups) {
      for (const { name, variable } of group.params) {
        const g0 = grads.get(name);
        if (!g0) continue;
        tf.tidy(() => {
          const g = group.weightDecay !== 0 ? tf.add(g0, tf.mul(variable, group.weightDecay)) : g0;
          const m = this.slots.get(name, 'exp_avg') ?? this.slots.create(name, 'exp_avg', tf.zerosLike(variable));
          const v = this.slots.get(name, 'exp_avg_sq') ?? this.slots.create(name, 'exp_avg_sq', tf.zerosLike(variable));
          const m1 = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
          const v1 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.mul(g, g), 1 - this.beta2));
          m.assign(m1);
          v.assign(v1);
          const denom = tf.add(tf.div(tf.sqrt(v1), Math.sqrt(bc2)), this.eps);
          variable.assign(tf.sub(variable, tf.mul(tf.div(m1, denom), group.lr / bc1)));
        });
      }
    }
    this.stepCount = t;
  }
}
