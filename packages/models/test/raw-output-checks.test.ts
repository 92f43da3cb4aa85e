// The raw-output bound (src/reference/raw-output-checks.ts): the README's 2e-4 where the reference rounds
// less than that, widened only by the reference's own measured distance from a float64 forward, and that
// distance checked so a different network cannot widen its own bound.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, float64RawOutputs, rawOutputChecks, RAW_TOLERANCES, type YoloModel } from '../src/index.ts';

let model: YoloModel;
let input: tf.Tensor4D;
let raw: tf.Tensor[];
let exact: Float64Array[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = buildModel('mobile-yolo5s_voc', { seed: 3 });
  input = tf.randomUniform([1, 64, 96, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  raw = model.forward(input, { training: false }).raw;
  exact = float64RawOutputs(model, input, false).map((l) => l.data);
});
afterAll(() => {
  tf.dispose([...raw, input]);
  model.dispose();
});

/** Upstream's outputs as `exact` plus `delta(i)` at every element of every level. */
const upstream = (delta: (i: number) => number) => exact.map((d) => ({ data: Float64Array.from(d, (v, i) => v + delta(i)) }));
const check = (golden: ReturnType<typeof upstream>) => rawOutputChecks(model, input, false, raw, golden, (i) => `eval.raw.${i}`);

describe('raw output checks', () => {
  it('the float64 forward is the network: the float32 forward is within float32 rounding of it, in the raw layout', () => {
    raw.forEach((t, i) => {
      expect(t.shape).toEqual([1, 3, 64 / 8 / 2 ** i, 96 / 8 / 2 ** i, 25]);
      const d = t.dataSync();
      let err = 0;
      for (let j = 0; j < d.length; j++) err = Math.max(err, Math.abs(d[j]! - exact[i]![j]!));
      expect(err).toBeGreaterThan(0);
      expect(err).toBeLessThan(1e-4);
    });
  });

  it("keeps the README's bound when the reference rounds less than it", () => {
    const checks = check(upstream(() => 0));
    expect(checks.map((k) => k.quantity)).toEqual(['eval.raw.0', 'eval.raw.0.float64', 'eval.raw.1', 'eval.raw.1.float64', 'eval.raw.2', 'eval.raw.2.float64']);
    for (const k of checks.filter((c) => !c.quantity.endsWith('float64'))) expect(k.tol).toBe(RAW_TOLERANCES.readme);
    for (const k of checks) expect(k.err).toBeLessThanOrEqual(k.tol);
  });

  it("widens it to the factor times the reference's own rounding, and says so", () => {
    const noise = 4e-4;
    const [level0] = check(upstream((i) => (i % 7 === 0 ? noise : 0)));
    expect(level0!.tol).toBeCloseTo(RAW_TOLERANCES.roundingFactor * noise, 9);
    expect(level0!.detail).toMatch(/upstream's own distance from a float64 forward \(4\.00e-4\)/);
  });

  it('a reference that is another network fails its .float64 check instead of widening the bound', () => {
    const checks = check(upstream((i) => (i === 5 ? 0.05 : 0)));
    const far = checks.find((k) => k.quantity === 'eval.raw.0.float64')!;
    expect(far.err).toBeCloseTo(0.05, 9);
    expect(far.err).toBeGreaterThan(far.tol);
  });

  it('levels without a reference tensor are left out', () => {
    const golden = upstream(() => 0);
    expect(rawOutputChecks(model, input, false, raw, [golden[0], undefined, golden[2]], (i) => `r${i}`).map((k) => k.quantity)).toEqual(['r0', 'r0.float64', 'r2', 'r2.float64']);
  });
});
