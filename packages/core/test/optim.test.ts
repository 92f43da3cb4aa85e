import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GradientAccumulator,
  ModelEma,
  accumulateSteps,
  cosineLrFactor,
  createOptimizer,
  iterationSettings,
  nominalBatchScale,
  roundHalfEven,
  splitParamGroups,
  upstreamGroupIndex,
  warmupIterations,
} from '../src/optim/index.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A deterministic pseudo-random sequence for test values (no Math.random). */
function seq(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1e-3, Math.abs(b[i])));
  return m;
}

describe('parameter groups (upstream name rule)', () => {
  it('puts biases in pg2, non-.bn weights in pg1 (decay), the rest in pg0', () => {
    expect(upstreamGroupIndex('model.24.m.0.bias')).toBe(2);
    expect(upstreamGroupIndex('model.0.bn.bias')).toBe(2);
    expect(upstreamGroupIndex('model.0.conv.weight')).toBe(1);
    expect(upstreamGroupIndex('model.0.bn.weight')).toBe(0);
    expect(upstreamGroupIndex('model.2.bn.weight')).toBe(0);
    // MobileNetV2 BN weights are named `conv.N.1.weight`: upstream decays them.
    expect(upstreamGroupIndex('model.2.conv.0.1.weight')).toBe(1);
    const v = (n: number) => tf.variable(tf.zeros([n]));
    const groups = splitParamGroups([
      ['a.conv.weight', v(1)],
      ['a.bn.weight', v(2)],
      ['a.bn.bias', v(3)],
      ['b.conv.weight', v(4)],
    ]);
    expect(groups.map((g) => g.map((p) => p.name))).toEqual([['a.bn.weight'], ['a.conv.weight', 'b.conv.weight'], ['a.bn.bias']]);
    groups.flat().forEach((p) => p.variable.dispose());
  });
});

describe('schedules (train.py)', () => {
  it('cosine factor', () => {
    expect(cosineLrFactor(0, 50, 0.2)).toBeCloseTo(1, 15);
    expect(cosineLrFactor(25, 50, 0.2)).toBeCloseTo(0.6, 15);
    expect(cosineLrFactor(50, 50, 0.2)).toBeCloseTo(0.2, 15);
    expect(cosineLrFactor(10, 30, 0.1)).toBeCloseTo(((1 + Math.cos(Math.PI / 3)) / 2) * 0.9 + 0.1, 15);
  });

  it('accumulation and nominal-batch scaling', () => {
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
    expect(roundHalfEven(2.6667)).toBe(3);
    expect(accumulateSteps(24)).toBe(3); // round(2.667)
    expect(accumulateSteps(8)).toBe(8);
    expect(accumulateSteps(128)).toBe(1);
    expect(nominalBatchScale(24)).toBeCloseTo((24 * 3) / 64, 15); // 1.125, as the golden README says for sl
    expect(warmupIterations(100)).toBe(1000);
    expect(warmupIterations(500)).toBe(1500);
  });

  it('warm-up interpolates lr (bias from 0.1), momentum from 0.9 and accumulate from 1', () => {
    const c = { lr0: 0.01, momentum: 0.937, lrf: 0.2, epochs: 50, batch: 8, nominalBatch: 64, batchesPerEpoch: 100 };
    const s0 = iterationSettings(0, 0, c);
    expect(s0.lrs).toEqual([0, 0, 0.1]);
    expect(s0.momentum).toBe(0.9);
    expect(s0.accumulate).toBe(1);
    const half = iterationSettings(500, 5, c);
    const target = 0.01 * cosineLrFactor(5, 50, 0.2);
    expect(half.lrs[0]).toBeCloseTo(target / 2, 15);
    expect(half.lrs[2]).toBeCloseTo(0.1 + (target - 0.1) / 2, 15);
    expect(half.momentum).toBeCloseTo(0.9185, 15);
    expect(half.accumulate).toBe(4); // interp 1..8 at 0.5 = 4.5, numpy rounds half to even
    const end = iterationSettings(1000, 10, c);
    expect(end.lrs).toEqual([0.01 * cosineLrFactor(10, 50, 0.2), 0.01 * cosineLrFactor(10, 50, 0.2), 0.01 * cosineLrFactor(10, 50, 0.2)]);
    expect(end.momentum).toBe(0.937);
    expect(end.accumulate).toBe(8);
    expect(iterationSettings(2000, 20, c).lrs[2]).toBeCloseTo(0.01 * cosineLrFactor(20, 50, 0.2), 15);
  });
});

/** PyTorch SGD(nesterov=True, dampening=0) written out in float64. */
function torchSgdReference(p0: number[], grads: number[][], hp: Array<{ lr: number; m: number; wd: number }>): number[] {
  const p = [...p0];
  let buf: number[] | undefined;
  grads.forEach((g, t) => {
    const { lr, m, wd } = hp[t];
    const d = g.map((gi, i) => gi + wd * p[i]);
    buf = buf ? buf.map((b, i) => m * b + d[i]) : [...d];
    const upd = d.map((di, i) => di + m * buf![i]);
    for (let i = 0; i < p.length; i++) p[i] -= lr * upd[i];
  });
  return p;
}

/** PyTorch Adam (amsgrad off) in float64. */
function torchAdamReference(p0: number[], grads: number[][], lrs: number[], wd: number): number[] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g0, k) => {
    const t = k + 1;
    const g = g0.map((gi, i) => gi + wd * p[i]);
    for (let i = 0; i < p.length; i++) {
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
      const denom = Math.sqrt(v[i]) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
      p[i] -= (lrs[k] / (1 - 0.9 ** t)) * (m[i] / denom);
    }
  });
  return p;
}

describe('optimisers against the PyTorch formulas', () => {
  const n = 37;
  const steps = 6;
  const p0 = seq(n, 1);
  const grads = Array.from({ length: steps }, (_, t) => seq(n, 100 + t));

  it('Nesterov SGD with per-step lr/momentum (warm-up) and decay on pg1 only', () => {
    const w = tf.variable(tf.tensor(p0), true, 'opt-test-w');
    const b = tf.variable(tf.tensor(p0), true, 'opt-test-b');
    const opt = createOptimizer([['x.conv.weight', w], ['x.conv.bias', b]], { kind: 'sgd', lr0: 0.01, momentum: 0.937, weightDecay: 5e-4 * 1.125 });
    const hp = grads.map((_, t) => ({ lr: 0.01 + 0.003 * t, m: 0.9 + 0.005 * t, wd: 5e-4 * 1.125 }));
    grads.forEach((g, t) => {
      opt.groups.forEach((gr) => Object.assign(gr, { lr: hp[t].lr, momentum: hp[t].m }));
      const gt = tf.tensor(g);
      opt.step(new Map([['x.conv.weight', gt], ['x.conv.bias', gt]]));
      gt.dispose();
    });
    expect(maxRelErr(w.dataSync(), torchSgdReference(p0, grads, hp))).toBeLessThan(1e-5);
    expect(maxRelErr(b.dataSync(), torchSgdReference(p0, grads, hp.map((h) => ({ ...h, wd: 0 }))))).toBeLessThan(1e-5);
    // Without decay the weight would differ: the test can tell the groups apart.
    expect(maxRelErr(w.dataSync(), torchSgdReference(p0, grads, hp.map((h) => ({ ...h, wd: 0 }))))).toBeGreaterThan(1e-5);
    opt.dispose();
    w.dispose();
    b.dispose();
  });

  it('Adam with L2 decay and bias correction', () => {
    const w = tf.variable(tf.tensor(p0), true, 'opt-test-adam-w');
    const opt = createOptimizer([['x.conv.weight', w]], { kind: 'adam', lr0: 0.001, momentum: 0.937, weightDecay: 0.01 });
    const lrs = grads.map((_, t) => 0.001 * (1 + t));
    grads.forEach((g, t) => {
      opt.groups.forEach((gr) => (gr.lr = lrs[t]));
      const gt = tf.tensor(g);
      opt.step(new Map([['x.conv.weight', gt]]));
      gt.dispose();
    });
    expect(maxRelErr(w.dataSync(), torchAdamReference(p0, grads, lrs, 0.01))).toBeLessThan(1e-5);
    opt.dispose();
    w.dispose();
  });

  it('state round-trips: a restored optimiser continues identically', () => {
    const run = (restoreAt: number | null): Float32Array => {
      const w = tf.variable(tf.tensor(p0));
      let opt = createOptimizer([['x.conv.weight', w]], { kind: 'sgd', lr0: 0.01, momentum: 0.937, weightDecay: 5e-4 });
      grads.forEach((g, t) => {
        if (t === restoreAt) {
          const state = opt.getState();
          opt.dispose();
          opt = createOptimizer([['x.conv.weight', w]], { kind: 'sgd', lr0: 0.5, momentum: 0.1, weightDecay: 0 });
          opt.setState(state);
        }
        const gt = tf.tensor(g);
        opt.step(new Map([['x.conv.weight', gt]]));
        gt.dispose();
      });
      const out = w.dataSync() as Float32Array;
      opt.dispose();
      w.dispose();
      return out;
    };
    expect(Array.from(run(3))).toEqual(Array.from(run(null)));
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const w = tf.tidy(() => tf.variable(tf.tensor(p0)));
    const opt = createOptimizer([['x.conv.weight', w]], { kind: 'sgd', lr0: 0.01, momentum: 0.937, weightDecay: 5e-4 });
    const acc = new GradientAccumulator();
    for (let t = 0; t < 20; t++) {
      acc.add(new Map([['x.conv.weight', tf.tensor(grads[t % steps])]]));
      if (t % 3 === 2) {
        opt.step(acc.grads);
        acc.reset();
      }
    }
    const during = tf.memory().numTensors;
    acc.reset();
    opt.dispose();
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(during - before).toBeLessThanOrEqual(3); // w, its momentum buffer, one pending sum
  });
});

describe('gradient accumulation', () => {
  it('sums like PyTorch .grad until reset', () => {
    const acc = new GradientAccumulator();
    acc.add(new Map([['a', tf.tensor([1, 2])]]));
    acc.add(new Map([['a', tf.tensor([10, 20])]]));
    expect(Array.from(acc.grads.get('a')!.dataSync())).toEqual([11, 22]);
    expect(acc.count).toBe(2);
    acc.reset();
    expect(acc.grads.size).toBe(0);
  });
});

describe('ModelEMA', () => {
  it('averages float entries with the ramped decay and leaves integer buffers alone', () => {
    const ema = {
      w: tf.variable(tf.tensor([1, 2, 3])),
      n: tf.variable(tf.tensor([5], [1], 'int32')),
    };
    const e = new ModelEma(new Map(Object.entries(ema)));
    const d1 = 0.9999 * (1 - Math.exp(-1 / 2000));
    expect(e.decayAt(1)).toBeCloseTo(d1, 15);
    const model = new Map<string, tf.Tensor>([
      ['w', tf.tensor([3, 2, 1])],
      ['n', tf.tensor([9], [1], 'int32')],
    ]);
    e.update(model);
    const d2 = e.decayAt(2);
    e.update(model);
    const expected = [1, 2, 3].map((v, i) => {
      const m = [3, 2, 1][i];
      const a = v * d1 + (1 - d1) * m;
      return a * d2 + (1 - d2) * m;
    });
    expect(maxRelErr(ema.w.dataSync(), expected)).toBeLessThan(1e-6);
    expect(Array.from(ema.n.dataSync())).toEqual([5]);
    expect(e.updates).toBe(2);
    Object.values(ema).forEach((v) => v.dispose());
    model.forEach((t) => t.dispose());
  });
});
