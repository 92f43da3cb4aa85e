/**
 * torch.optim.SGD with Nesterov momentum, dampening 0, exactly PyTorch's update:
 *   d = g + wd·p;  buf = d (first step) else m·buf + d;  d = d + m·buf;  p = p − lr·d
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkGroupsMatch, type Optimizer, type OptimizerState, type ParamGroup } from './optimizer.ts';
import { SlotStore } from './slots.ts';

export class NesterovSGD implements Optimizer {
  readonly kind = 'sgd' as const;
  private readonly slots = new SlotStore();
  private stepCount = 0;

  constructor(readonly groups: ParamGroup[]) {}

  get steps(): number {
    return this.stepCount;
  }

  step(grads: ReadonlyMap<string, tf.Tensor>): void {
    for (const group of this.groups) {
      for (const { name, variable } of group.params) {
        const g = grads.get(name);
        if (!g) continue;
        const buf = this.slots.get(name, 'momentum_buffer');
        tf.tidy(() => {
          const d = group.weightDecay !== 0 ? tf.add(g, tf.mul(variable, group.weightDecay)) : g;
          let update: tf.Tensor = d;
          if (group.momentum !== 0) {
            let newBuf: tf.Tensor;
            if (!buf) {
              newBuf = d;
              this.slots.create(name, 'momentum_buffer', d.clone());
            } else {
              newBuf = tf.add(tf.mul(buf, group.momentum), d);
              buf.assign(newBuf);
            }
            update = tf.add(d, tf.mul(newBuf, group.momentum));
          }
          variable.assign(tf.sub(variable, tf.mul(update, group.lr)));
        });
      }
    }
    this.stepCount++;
  }

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
