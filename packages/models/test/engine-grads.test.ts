// The whole gradient graph of a small YOLOv5 / MobileNetV2-like network runs on wasm (any kernel
// the backend lacks would throw here) and agrees with the pure-JS cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import '../src/index.ts'; // registers gradients and the training kernels
import { values } from './numbers.ts';

const PARAMS: Record<string, number[]> = {
  stem: [3, 3, 12, 8], // after Focus: 3 channels → 12
  bn1Gamma: [8], bn1Beta: [8],
  expand: [1, 1, 8, 16],
  dw: [3, 3, 16, 1],
  bn2Gamma: [16], bn2Beta: [16],
  project: [1, 1, 16, 8],
  down: [3, 3, 8, 8], downBias: [8],
  spp: [1, 1, 32, 8],
  dwFused: [3, 3, 16, 1], dwFusedBias: [16],
  head: [1, 1, 16, 7], headBias: [7],
};

/** Batch norm with batch statistics, as in training mode. */
function batchNorm(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, gamma, 1e-3) as tf.Tensor4D;
}

const silu = (x: tf.Tensor4D): tf.Tensor4D => tf.mul(x, tf.sigmoid(x));

/** Focus (space-to-depth by strided slicing), conv/BN/act blocks, depthwise, SPP, upsample, concat, a BCE/CIoU-ish loss. */
function loss(v: Record<string, tf.Variable>, input: tf.Tensor4D): tf.Scalar {
  const [n, h, w] = input.shape;
  const slice = (y0: number, x0: number) => tf.stridedSlice(input, [0, y0, x0, 0], [n, h, w, 3], [1, 2, 2, 1]) as tf.Tensor4D;
  const focus = tf.concat([slice(0, 0), slice(1, 0), slice(0, 1), slice(1, 1)], 3);
  const pad1 = [[0, 0], [1, 1], [1, 1], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
  const a = silu(batchNorm(tf.conv2d(focus, v.stem as tf.Tensor4D, 1, pad1), v.bn1Gamma as tf.Tensor1D, v.bn1Beta as tf.Tensor1D));
  const e = tf.relu6(tf.conv2d(a, v.expand as tf.Tensor4D, 1, 'valid'));
  const d = tf.relu6(batchNorm(tf.depthwiseConv2d(e, v.dw as tf.Tensor4D, 2, 'same'), v.bn2Gamma as tf.Tensor1D, v.bn2Beta as tf.Tensor1D));
  const p = tf.conv2d(d, v.project as tf.Tensor4D, 1, 'valid');
  const down = tf.fused.conv2d({ x: p, filter: v.down as tf.Tensor4D, strides: 2, pad: pad1, bias: v.downBias, activation: 'leakyrelu', leakyreluAlpha: 0.1 });
  const pools = [5, 9, 13].map((k) => tf.maxPool(down, k, 1, 'same'));
  const spp = tf.leakyRelu(tf.conv2d(tf.concat([down, ...pools], 3), v.spp as tf.Tensor4D, 1, 'valid'), 0.1);
  const up = tf.image.resizeNearestNeighbor(spp, [p.shape[1], p.shape[2]]);
  const merged = tf.concat([up, p], 3);
  const dwf = tf.fused.depthwiseConv2d({ x: merged, filter: v.dwFused as tf.Tensor4D, strides: 1, pad: 'same', bias: v.dwFusedBias, activation: 'relu' });
  const out = tf.add(tf.conv2d(dwf, v.head as tf.Tensor4D, 1, 'valid'), v.headBias);
  // BCE-with-logits (softplus form), a log term and an atan term like CIoU's aspect-ratio penalty.
  const target = tf.mul(tf.onesLike(out), 0.3);
  const bce = tf.mean(tf.sub(tf.softplus(out), tf.mul(out, target)));
  const logTerm = tf.mean(tf.log(tf.add(tf.sigmoid(out), 1e-6)));
  const wh = tf.exp(tf.clipByValue(out, -4, 4));
  const atanTerm = tf.mean(tf.square(tf.sub(tf.atan(tf.div(wh, tf.add(wh, 1))), 0.5)));
  return tf.addN([bce, tf.mul(tf.neg(logTerm), 0.1), atanTerm]) as tf.Scalar;
}

async function gradientsOn(backend: string): Promise<{ value: number; grads: Record<string, Float32Array> }> {
  await tf.setBackend(backend);
  const vars: Record<string, tf.Variable> = {};
  let seed = 11;
  for (const [name, shape] of Object.entries(PARAMS)) {
    const size = shape.reduce((x, y) => x * y, 1);
    const init = name.endsWith('Gamma') ? values(size, seed++, 0.2).map((x) => 1 + x) : values(size, seed++, 0.5);
    vars[name] = tf.variable(tf.tensor(init, shape), true, `${backend}/${name}`);
  }
  const input = tf.tensor4d(values(2 * 18 * 14 * 3, 7, 0.5).map((x) => x + 0.5), [2, 18, 14, 3]);
  const { value, grads } = tf.variableGrads(() => loss(vars, input), Object.values(vars));
  const out: Record<string, Float32Array> = {};
  for (const name of Object.keys(PARAMS)) out[name] = grads[`${backend}/${name}`].dataSync() as Float32Array;
  const v = value.dataSync()[0];
  tf.dispose([value, input, ...Object.values(grads), ...Object.values(vars)]);
  return { value: v, grads: out };
}

describe('gradients of a small conv+BN+act network: wasm equals cpu', () => {
  it('has every kernel on wasm and the same loss and gradients as cpu', async () => {
    const wasm = await gradientsOn('wasm');
    const cpu = await gradientsOn('cpu');
    expect(Math.abs(wasm.value - cpu.value) / Math.abs(cpu.value)).toBeLessThan(1e-5);
    for (const name of Object.keys(PARAMS)) {
      const a = wasm.grads[name];
      const b = cpu.grads[name];
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < b.length; i++) {
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
        scale = Math.max(scale, Math.abs(b[i]));
      }
      expect(scale, `${name} gradient is all zeros`).toBeGreaterThan(0);
      // Float32 sums in a different order through ~20 layers: a looser bound than single kernels.
      expect(diff / scale, `${name} gradient`).toBeLessThan(1e-3);
    }
  });
});
