// Concat on wasm (engine/wasm-kernels/concat.ts): the innermost-axis bulk-copy path, split over two
// threads when large, equals the cpu backend exactly; other axes, dtypes and empty inputs still work.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { initEngine } from '../src/engine/init-engine.ts';
import { values } from './numbers.ts';

function concatOn(backend: string, shapes: number[][], axis: number, dtype: 'float32' | 'int32' = 'float32'): Promise<number[]> {
  return tf.setBackend(backend).then(() =>
    tf.tidy(() => {
      const xs = shapes.map((s, i) => {
        const v = values(s.reduce((a, b) => a * b, 1), 70 + i, 100);
        return dtype === 'int32' ? tf.tensor(Int32Array.from(v, Math.round), s, 'int32') : tf.tensor(v, s);
      });
      return Array.from(tf.concat(xs, axis).dataSync());
    }),
  );
}

describe('wasm Concat', () => {
  it.each([
    { name: 'CSP-like, large (split over threads)', shapes: [[1, 80, 80, 64], [1, 80, 80, 64]], axis: 3 },
    { name: 'four inputs of odd widths, batch 2', shapes: [[2, 7, 5, 3], [2, 7, 5, 1], [2, 7, 5, 6], [2, 7, 5, 9]], axis: -1 },
    { name: 'an empty input among others', shapes: [[3, 4], [3, 0], [3, 5]], axis: 1 },
    { name: 'an outer axis (stock path)', shapes: [[2, 3, 4], [1, 3, 4]], axis: 0 },
    { name: 'a middle axis (stock path)', shapes: [[2, 3, 4], [2, 5, 4]], axis: 1 },
  ])('$name equals the cpu backend', async ({ shapes, axis }) => {
    await initEngine({ backend: 'wasm', threads: 2 });
    const reference = await concatOn('cpu', shapes, axis);
    const ours = await concatOn('wasm', shapes, axis);
    expect(ours).toEqual(reference);
  });

  it('int32 inputs take the stock path', async () => {
    await initEngine({ backend: 'wasm', threads: 2 });
    expect(await concatOn('wasm', [[2, 3], [2, 2]], 1, 'int32')).toEqual(await concatOn('cpu', [[2, 3], [2, 2]], 1, 'int32'));
    await tf.setBackend('wasm');
  });
});
