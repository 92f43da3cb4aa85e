// The engine's fused training batch norm + activation equals the tf-op composition it replaces
// (layers' BatchNorm2d + activate), in values, batch statistics and gradients, on wasm and cpu;
// and it frees what it allocates.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { batchNormActTrain, type BatchNormActivation } from '../src/index.ts';
import { relErr, values } from './numbers.ts';

/** The composition, as layers/batch-norm.ts + layers/activation.ts write it. */
function reference(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number, act: BatchNormActivation) {
  const c = x.shape[3];
  const flat = tf.reshape(x, [-1, c]);
  const mean = tf.mean(flat, 0) as tf.Tensor1D;
  const variance = tf.mean(tf.square(tf.sub(flat, mean)), 0) as tf.Tensor1D;
  const alpha = tf.mul(gamma, tf.div(1, tf.sqrt(tf.add(variance, eps))));
  const z = tf.add(tf.mul(x, alpha), tf.sub(beta, tf.mul(mean, alpha))) as tf.Tensor4D;
  const y = act === 'relu6' ? tf.relu6(z) : act === 'leakyrelu' ? tf.leakyRelu(z, 0.1) : z;
  return { y, mean, variance };
}

const SHAPE: [number, number, number, number] = [3, 5, 7, 6];

describe.each(['wasm', 'cpu'])('batchNormActTrain on %s', (backend) => {
  for (const act of ['linear', 'relu6', 'leakyrelu'] as const) {
    it(`${act}: values, statistics and gradients equal the composition`, async () => {
      await tf.setBackend(backend);
      tf.tidy(() => {
        const size = SHAPE.reduce((p, q) => p * q, 1);
        // Offset and scale so relu6 clips at both ends and leakyrelu sees both signs.
        const x = tf.tensor4d(values(size, 1, 4, 1), SHAPE);
        const gamma = tf.tensor1d(values(6, 2, 2, 2.5));
        const beta = tf.tensor1d(values(6, 3, 3, 0.5));
        const dy = tf.tensor4d(values(size, 4), SHAPE);
        const ours = batchNormActTrain(x, gamma, beta, { eps: 1e-4, activation: act });
        const ref = reference(x, gamma, beta, 1e-4, act);
        expect(relErr(ours.y.dataSync(), ref.y.dataSync())).toBeLessThan(1e-5);
        expect(relErr(ours.mean.dataSync(), ref.mean.dataSync())).toBeLessThan(1e-5);
        expect(relErr(ours.variance.dataSync(), ref.variance.dataSync())).toBeLessThan(1e-5);
        const lossOf = (f: (xx: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor4D) =>
          (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(xx as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D), dy));
        const gOurs = tf.grads(lossOf((xx, g, b) => batchNormActTrain(xx, g, b, { eps: 1e-4, activation: act }).y))([x, gamma, beta]);
        const gRef = tf.grads(lossOf((xx, g, b) => reference(xx, g, b, 1e-4, act).y))([x, gamma, beta]);
        for (let i = 0; i < 3; i++) expect(relErr(gOurs[i].dataSync(), gRef[i].dataSync()), ['dx', 'dgamma', 'dbeta'][i]).toBeLessThan(1e-4);
      });
    });
  }

  it('leaves no tensor behind (statistics belong to the caller scope, saved tensors are freed)', async () => {
    await tf.setBackend(backend);
    const x = tf.tensor4d(values(3 * 5 * 7 * 6, 5), SHAPE);
    const gamma = tf.variable(tf.ones([6]) as tf.Tensor1D);
    const beta = tf.variable(tf.zeros([6]) as tf.Tensor1D);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(batchNormActTrain(x, gamma, beta, { eps: 1e-4, activation: 'relu6' }).y) as tf.Scalar, [gamma, beta]);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, gamma, beta]);
  });
});
