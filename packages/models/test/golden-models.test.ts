// Upstream PyTorch outputs (golden model cases) reproduced on the cpu and wasm backends.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import '../src/index.ts';
import { checkModelCase, findModelCases, loadModelCase } from '../src/node.ts';
import { GOLDEN, HAS_GOLDEN } from './shared-dir.ts';

const cases = HAS_GOLDEN ? findModelCases(GOLDEN) : [];

describe.skipIf(!HAS_GOLDEN)('golden model cases', () => {
  it('finds the model cases by their files', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const backend of ['wasm', 'cpu']) {
    for (const dir of cases) {
      it(`${backend}: ${dir.slice(GOLDEN.length + 1)} matches the upstream outputs and BN statistics`, async () => {
        await tf.setBackend(backend);
        const c = await loadModelCase(dir, GOLDEN);
        try {
          const checks = await checkModelCase(c);
          const checked = checks.filter((k) => !k.skipped);
          expect(checked.map((k) => k.quantity)).toEqual(expect.arrayContaining(['eval.raw.0', 'train.raw.0', 'eval.decoded', 'bn_after_train_forward']));
          for (const k of checked) expect({ q: k.quantity, ok: k.err <= k.tol, err: k.err }).toEqual({ q: k.quantity, ok: true, err: k.err });
        } finally {
          c.dispose();
        }
      }, 120_000);
    }
  }
});
