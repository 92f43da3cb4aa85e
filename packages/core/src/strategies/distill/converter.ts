/**
 * The S2 feature converters (upstream `models/common.py Converter`), trained with the student and
 * never part of the exported student.
 *
 * - `conv-bn-relu6` (S2.1): 1×1 conv (no bias) → BatchNorm2d with PyTorch's DEFAULTS (eps 1e-5,
 *   momentum 0.1: the converters are built outside `Model`, so `initialize_weights` never sets the
 *   YOLO 1e-4/0.03) in training mode (batch statistics) → ReLU6.
 * - `conv` (S2.2): a plain 1×1 conv (no bias).
 *
 * Parameters use PyTorch state_dict names (`conv.weight` OIHW on import/export, `bn.weight`, ...) and
 * are kept NHWC/HWIO internally, like contract 1's modules.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@distillery/models';

export type ConverterKind = 'conv-bn-relu6' | 'conv';

const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

let converterCounter = 0;

export class FeatureConverter {
  readonly conv: tf.Variable; // HWIO [1, 1, c1, c2]
  readonly bnWeight?: tf.Variable;
  readonly bnBias?: tf.Variable;
  readonly runningMean?: tf.Variable;
  readonly runningVar?: tf.Variable;
  private batchesTracked = 0;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kind: ConverterKind,
    seed = 0,
  ) {
    const scope = `converter${converterCounter++}`;
    // PyTorch Conv2d default init: kaiming_uniform(a=√5) = U(−1/√fan_in, 1/√fan_in).
    const bound = 1 / Math.sqrt(inChannels);
    const rand = createRng(seed); // seeded so converter init is reproducible from the run seed
    const w = Float32Array.from({ length: inChannels * outChannels }, () => (rand() * 2 - 1) * bound);
    this.conv = tf.variable(tf.tensor4d(w, [1, 1, inChannels, outChannels]), true, `${scope}/conv.weight`);
    if (kind === 'conv-bn-relu6') {
      this.bnWeight = tf.variable(tf.ones([outChannels]), true, `${scope}/bn.weight`);
      this.bnBias = tf.variable(tf.zeros([outChannels]), true, `${scope}/bn.bias`);
      this.runningMean = tf.variable(tf.zeros([outChannels]), false, `${scope}/bn.running_mean`);
      this.runningVar = tf.variable(tf.ones([outChannels]), false, `${scope}/bn.running_var`);
    }
  }

  /** NHWC in, NHWC out. `updateStats` updates the BN running statistics (unbiased variance). */
  forward(x: tf.Tensor4D, updateStats = true): tf.Tensor4D {
    if (x.shape[3] !== this.inChannels) {
      throw new Error(`feature converter expects ${this.inChannels} channels, got [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const y = tf.conv2d(x, this.conv as tf.Tensor4D, 1, 'valid');
      if (this.kind === 'conv') return y;
      const { mean, variance } = tf.moments(y, [0, 1, 2]);
      if (updateStats) this.updateRunningStats(mean, variance, y.size / this.outChannels);
      const normed = tf.batchNorm4d(
        y,
        mean as tf.Tensor1D,
        variance as tf.Tensor1D,
        this.bnBias as tf.Tensor1D,
        this.bnWeight as tf.Tensor1D,
        BN_EPS,
      );
      return tf.relu6(normed);
    });
  }

  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, n: number): void {
    const rm = this.runningMean!;
    const rv = this.runningVar!;
    // Not on any path to the loss, so the tape never differentiates these updates.
    const m = mean;
    const v = variance;
    rm.assign(tf.add(tf.mul(rm, 1 - BN_MOMENTUM), tf.mul(m, BN_MOMENTUM)));
    rv.assign(tf.add(tf.mul(rv, 1 - BN_MOMENTUM), tf.mul(v, (BN_MOMENTUM * n) / Math.max(n - 1, 1))));
    this.batchesTracked++;
  }

  namedParameters(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>([['conv.weight', this.conv]]);
    if (this.bnWeight && this.bnBias) {
      out.set('bn.weight', this.bnWeight);
      out.set('bn.bias', this.bnBias);
    }
    return out;
  }

  namedBuffers(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    if (this.runningMean && this.runningVar) {
      out.set('bn.running_mean', this.runningMean);
      out.set('bn.running_var', this.runningVar);
    }
    return out;
  }

  get numBatchesTracked(): number {
    return this.batchesTracked;
  }

  /**
   * Loads PyTorch-layout values (`conv.weight` OIHW `[c2, c1, 1, 1]`, `bn.*` `[c2]`); `num_batches_tracked`
   * is ignored (momentum is fixed). Missing or mis-shaped entries are an error naming them.
   */
  loadTorchState(
    state: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array | Int32Array }>,
    source = 'converter',
  ): void {
    const take = (key: string, shape: number[]) => {
      const t = state.get(key);
      if (!t) throw new Error(`${source}: missing ${key}`);
      if (t.shape.join(',') !== shape.join(',')) {
        throw new Error(
          `${source}: ${key} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`,
        );
      }
      return Float32Array.from(t.data);
    };
    const w = take('conv.weight', [this.outChannels, this.inChannels, 1, 1]);
    tf.tidy(() =>
      this.conv.assign(
        tf
          .transpose(tf.tensor2d(w, [this.outChannels, this.inChannels]), [1, 0])
          .reshape([1, 1, this.inChannels, this.outChannels]),
      ),
    );
    if (this.kind === 'conv-bn-relu6') {
      this.bnWeight!.assign(tf.tensor1d(take('bn.weight', [this.outChannels])));
      this.bnBias!.assign(tf.tensor1d(take('bn.bias', [this.outChannels])));
      this.runningMean!.assign(tf.tensor1d(take('bn.running_mean', [this.outChannels])));
      this.runningVar!.assign(tf.tensor1d(take('bn.running_var', [this.outChannels])));
    }
  }

  dispose(): void {
    tf.dispose(
      [this.conv, this.bnWeight, this.bnBias, this.runningMean, this.runningVar].filter(
        (v): v is tf.Variable => !!v,
      ),
    );
  }
}
