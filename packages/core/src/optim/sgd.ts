/**
 * torch.optim.SGD with Nesterov momentum, dampening 0, exactly PyTorch's update:
 *   d = g + wd·p;  buf = d (first step) else m·buf + d;  d = d + m·buf;  p = p − lr·d
 */
import * as tf from '@tensorflow/tfjs-core';
import { SlottedOptimizer } from './optimizer.ts';

export class NesterovSGD extends SlottedOptimizer {
  readonly kind = 'sgd' as const;

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
}
