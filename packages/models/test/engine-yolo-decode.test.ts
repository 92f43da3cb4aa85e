// The fused YOLO decoding kernel on wasm (engine/wasm-kernels/yolo-decode.ts) equals Detect's tf-op
// decoding on the cpu backend — SIMD and JS paths, batch > 1, odd grids, field counts that leave a
// scalar tail, logits far into both tails of σ — and the wasm backend really uses it.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { Detect, setSimdKernelsEnabled } from '../src/index.ts';
import { YoloDecode } from '../src/engine/yolo-decode/kernel-name.ts';
import { initEngine } from '../src/engine/init-engine.ts';
import { values } from './numbers.ts';

const ANCHORS = [
  [10, 13, 16, 30, 33, 23],
  [30, 61, 62, 45, 59, 119],
  [116, 90, 156, 198, 373, 326],
];

function raw(nc: number, bs: number, grids: [number, number][], scale: number): tf.Tensor5D[] {
  const no = nc + 5;
  return grids.map(([ny, nx], l) => tf.tensor5d(values(bs * 3 * ny * nx * no, 40 + l, scale), [bs, 3, ny, nx, no]));
}

function decodeOn(backend: string, detect: Detect, inputs: tf.Tensor5D[]): Promise<Float32Array> {
  return tf.setBackend(backend).then(() => {
    const copies = inputs.map((t) => tf.tensor5d(t.dataSync() as Float32Array, t.shape));
    const out = detect.decode(copies);
    const data = out.dataSync() as Float32Array;
    tf.dispose([out, ...copies]);
    return data;
  });
}

/** Elementwise |a − b| ≤ rel·|b| + abs. */
function worst(a: Float32Array, b: Float32Array, rel: number, abs: number): number {
  let w = 0;
  for (let i = 0; i < b.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]) / (rel * Math.abs(b[i]) + abs));
  return w;
}

describe('fused YOLO decoding (wasm)', () => {
  it.each([
    { nc: 20, bs: 2, grids: [[12, 10], [6, 5], [3, 3]] as [number, number][], scale: 12 },
    { nc: 2, bs: 1, grids: [[9, 7], [5, 4], [3, 2]] as [number, number][], scale: 100 },
  ])('nc $nc, batch $bs, grids $grids, logits within ±$scale: equals the tf-op decoding on cpu (SIMD and JS paths)', async ({ nc, bs, grids, scale }) => {
    await initEngine({ backend: 'wasm', threads: 2 });
    expect(tf.getKernel(YoloDecode, 'wasm')).toBeDefined();
    expect(tf.getKernel(YoloDecode, 'cpu')).toBeUndefined();
    const detect = new Detect(nc, ANCHORS, [8, 16, 32]);
    const inputs = raw(nc, bs, grids, scale);
    const reference = await decodeOn('cpu', detect, inputs);
    const fused = await decodeOn('wasm', detect, inputs);
    const previous = setSimdKernelsEnabled(false);
    let js: Float32Array;
    try {
      js = await decodeOn('wasm', detect, inputs);
    } finally {
      setSimdKernelsEnabled(previous);
    }
    expect(fused.length).toBe(reference.length);
    // Two float32 exps differ by an ulp or two; through (2σ)² and the anchor that stays ~1e-6 relative.
    expect(worst(fused, reference, 2e-6, 1e-30)).toBeLessThanOrEqual(1);
    expect(worst(js, reference, 2e-6, 1e-30)).toBeLessThanOrEqual(1);
    tf.dispose(inputs);
    detect.dispose();
    await tf.setBackend('wasm');
  });
});
