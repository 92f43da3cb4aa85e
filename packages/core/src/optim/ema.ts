/**
 * Upstream ModelEMA (utils/torch_utils.py): a copy of the model whose every floating-point state_dict
 * entry — parameters AND buffers (BN running stats, anchors) — is averaged after each optimiser step:
 *   d = decay·(1 − exp(−updates/2000));  v = v·d + (1 − d)·model_v
 * Integer entries (num_batches_tracked) are left as they were when the copy was made.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface EmaOptions {
  decay?: number;
  /** Ramp time constant in updates (upstream 2000). */
  tau?: number;
  /** Updates already done (resume). */
  updates?: number;
}

export class ModelEma {
  readonly decay: number;
  readonly tau: number;
  private count: number;

  /** `target` is the EMA copy's state dict (its own variables); it starts as a copy of the model. */
  constructor(
    private readonly target: ReadonlyMap<string, tf.Variable>,
    { decay = 0.9999, tau = 2000, updates = 0 }: EmaOptions = {},
  ) {
    this.decay = decay;
    this.tau = tau;
    this.count = updates;
  }

  get updates(): number {
    return this.count;
  }

  set updates(n: number) {
    this.count = n;
  }

  /** The decay used by the update number `n` (1-based). */
  decayAt(n: number): number {
    return this.decay * (1 - Math.exp(-n / this.tau));
  }

  /** One EMA update from the training model's state dict (same keys). */
  update(source: ReadonlyMap<string, tf.Tensor>): void {
    this.count++;
    const d = this.decayAt(this.count);
    tf.tidy(() => {
      for (const [name, v] of this.target) {
        if (v.dtype !== 'float32') continue;
        const s = source.get(name);
        if (!s) throw new Error(`EMA: the model has no state entry ${name}`);
        v.assign(tf.add(tf.mul(v, d), tf.mul(s, 1 - d)));
      }
    });
  }

  /** Copies every entry (float and integer) from `source`: the EMA restarts from the model. */
  copyFrom(source: ReadonlyMap<string, tf.Tensor>): void {
    tf.tidy(() => {
      for (const [name, v] of this.target) {
        const s = source.get(name);
        if (!s) throw new Error(`EMA: the model has no state entry ${name}`);
        v.assign(s.dtype === v.dtype ? s : tf.cast(s, v.dtype));
      }
    });
  }
}
