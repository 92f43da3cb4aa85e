import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lossMetaFromModel, type LossHyp } from '../src/loss/hyp.ts';
import { GradientAccumulator } from '../src/optim/accumulate.ts';
import { createOptimizer } from '../src/optim/create.ts';
import { computeGradients } from '../src/train/gradient-step.ts';
import { ReplicaPool } from '../src/train/parallel/replica-pool.ts';
import { shardSizes, splitBatch, type BatchPart } from '../src/train/parallel/shards.ts';
import { createTinyDetector } from './fixtures/tiny-detector.ts';

const hyp: LossHyp = { giou: 0.05, obj: 1, cls: 0.58 * (3 / 80), cls_pw: 1, obj_pw: 1, anchor_t: 4, fl_gamma: 0 };

function makeBatch(seed: number, b = 5, size = 64): BatchPart {
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const images = Float32Array.from({ length: b * size * size * 3 }, r);
  const rows: number[] = [];
  for (let i = 0; i < b; i++) for (let k = 0; k < 2 + (i % 2); k++) rows.push(i, k % 3, 0.2 + 0.6 * r(), 0.2 + 0.6 * r(), 0.1 + 0.3 * r(), 0.1 + 0.3 * r());
  return { images, shape: [b, size, size], targets: Float32Array.from(rows), nTargets: rows.length / 6 };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('batch shares', () => {
  it('splits contiguously, re-indexes targets, never makes an empty share', () => {
    expect(shardSizes(5, 2)).toEqual([3, 2]);
    expect(shardSizes(2, 4)).toEqual([1, 1]);
    const b = makeBatch(3, 5, 32);
    const parts = splitBatch(b, 2);
    expect(parts.map((p) => p.shape[0])).toEqual([3, 2]);
    expect(parts[0].nTargets + parts[1].nTargets).toBe(b.nTargets);
    expect(Array.from(parts[1].targets.filter((_, i) => i % 6 === 0))).toEqual([0, 0, 0, 1, 1]);
    expect(parts[1].images[0]).toBe(b.images[3 * 32 * 32 * 3]);
  });
});

describe('data-parallel replicas', () => {
  let pool: ReplicaPool | undefined;
  afterAll(async () => {
    await pool?.close();
  });

  it('equals single-thread accumulation of the same shares (2 threads, 3 optimiser steps)', async () => {
    const parallelModel = createTinyDetector({ seed: 7 });
    const serialModel = createTinyDetector({ seed: 7 });
    const lossMeta = lossMetaFromModel(parallelModel);
    const trainableP = parallelModel.namedParameters();
    const trainableS = serialModel.namedParameters();
    pool = await ReplicaPool.start({
      replicas: 2,
      backend: 'cpu',
      factory: { module: new URL('./fixtures/tiny-detector.ts', import.meta.url).href, export: 'createTinyDetector', args: { seed: 99 } },
      trainable: trainableP,
      hyp,
      lossMeta,
    });
    expect(pool.size).toBe(2);
    const optP = createOptimizer(trainableP, { kind: 'sgd', lr0: 0.01, momentum: 0.937, weightDecay: 5e-4 });
    const optS = createOptimizer(trainableS, { kind: 'sgd', lr0: 0.01, momentum: 0.937, weightDecay: 5e-4 });
    const acc = new GradientAccumulator();
    for (let step = 0; step < 3; step++) {
      const batch = makeBatch(100 + step);
      const at = { epoch: 0, iteration: step };
      const common = { lossMeta, hyp, strategies: [], ...at };
      const got = await pool.gradients(batch, at, (part) => computeGradients({ model: parallelModel, trainable: trainableP, ...part, ...common }));
      for (const part of splitBatch(batch, 2)) {
        const ref = await computeGradients({ model: serialModel, trainable: trainableS, ...part, ...common });
        acc.add(ref.grads);
      }
      for (const [name, g] of acc.grads) {
        const mine = got.grads.get(name);
        expect(mine, name).toBeDefined();
        const a = mine!.dataSync();
        const b = g.dataSync();
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        expect(worst, name).toBeLessThanOrEqual(1e-6 * Math.max(1, ...Array.from(b, Math.abs)));
      }
      optP.step(got.grads);
      optS.step(acc.grads);
      got.grads.forEach((g) => g.dispose());
      acc.reset();
      pool.publish(trainableP);
    }
    for (const [name, v] of trainableP) {
      const a = v.dataSync();
      const b = trainableS.get(name)!.dataSync();
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst, name).toBeLessThan(1e-6);
    }
    // The weights did move (the comparison is not between two untouched models).
    const fresh = createTinyDetector({ seed: 7 });
    const moved = tf.tidy(() => tf.max(tf.abs(tf.sub(fresh.namedParameters().get('model.0.conv.weight')!, trainableP.get('model.0.conv.weight')!))).dataSync()[0]);
    expect(moved).toBeGreaterThan(1e-5);
    fresh.dispose();
    optP.dispose();
    optS.dispose();
    parallelModel.dispose();
    serialModel.dispose();
  }, 60_000);
});
