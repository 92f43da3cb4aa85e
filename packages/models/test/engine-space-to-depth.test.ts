// Focus's space-to-depth (src/engine/space-to-depth): the wasm kernel — split over threads, on one,
// and its JS fallback — equals the reshape/transpose path of the cpu backend bit for bit; the
// gradient is the inverse permutation on every backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { initEngine } from '../src/engine/init-engine.ts';
import { depthToSpaceRowFirst, spaceToDepthRowFirst } from '../src/engine/space-to-depth/space-to-depth.ts';
import { onOneThread, withSimdKernels } from './engine-switches.ts';
import { values } from './numbers.ts';

const SHAPES: [number, number, number, number][] = [
  [1, 64, 96, 3],
  [2, 10, 6, 5],
  [1, 2, 2, 1],
];

const s2d = (shape: [number, number, number, number]) =>
  tf.tidy(() => Array.from(spaceToDepthRowFirst(tf.tensor4d(values(shape.reduce((a, b) => a * b), 31), shape)).dataSync()));

describe('space-to-depth (Focus)', () => {
  it.each(SHAPES)('[%i, %i, %i, %i]: wasm (two threads, one, no SIMD) = cpu, in upstream group order', async (...shape) => {
    await initEngine({ backend: 'cpu' });
    const reference = s2d(shape);
    await initEngine({ backend: 'wasm', threads: 2 });
    const split = s2d(shape);
    const single = onOneThread(() => s2d(shape));
    const js = onOneThread(() => withSimdKernels(false, () => s2d(shape)));
    for (const got of [split, single, js]) expect(got).toEqual(reference);
  });

  it("puts x[::2, ::2], x[1::2, ::2], x[::2, 1::2], x[1::2, 1::2] in that order (upstream's torch.cat)", async () => {
    await initEngine({ backend: 'wasm', threads: 2 });
    // One channel, 2x2 image: pixel (row, col) holds 10·row + col.
    const y = tf.tidy(() => Array.from(spaceToDepthRowFirst(tf.tensor4d([0, 1, 10, 11], [1, 2, 2, 1])).dataSync()));
    expect(y).toEqual([0, 10, 1, 11]);
  });

  it('depth-to-space inverts it, and the gradient on wasm equals the one on cpu', async () => {
    const shape: [number, number, number, number] = [2, 8, 12, 3];
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(2 * 8 * 12 * 3, 32), shape);
        const w = tf.tensor4d(values(2 * 4 * 6 * 12, 33), [2, 4, 6, 12]);
        const roundTrip = depthToSpaceRowFirst(spaceToDepthRowFirst(x));
        const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(spaceToDepthRowFirst(v as tf.Tensor4D), w)))(x);
        return { same: tf.equal(roundTrip, x).all().dataSync()[0], grad: Array.from(grad.dataSync()) };
      });
    await initEngine({ backend: 'wasm', threads: 2 });
    const onWasm = run();
    await initEngine({ backend: 'cpu' });
    const onCpu = run();
    await initEngine({ backend: 'wasm', threads: 2 });
    expect(onWasm.same).toBe(1);
    expect(onWasm.grad).toEqual(onCpu.grad);
  });

  it('says what is wrong with an odd height or width', async () => {
    await initEngine({ backend: 'wasm', threads: 2 });
    expect(() => tf.tidy(() => spaceToDepthRowFirst(tf.zeros([1, 5, 4, 3]) as tf.Tensor4D))).toThrow(/even height and width, got 5x4/);
  });
});
