/** The loss through a real model: gradients and the sparsity selection against the golden cases. */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Detect, toTorch, Upsample } from '@distillery/models';
import {
  initEngine,
  loadModelCase,
  readSafetensorsFile,
  type LoadedModelCase,
} from '@distillery/models/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeLoss } from '../src/loss/compute-loss.ts';
import { lossMetaFromModel, type LossHyp } from '../src/loss/hyp.ts';
import { sparsityLoss } from '../src/loss/sparsity.ts';
import { parseRunConfig } from '../src/config/run-config.ts';
import { SparsityStrategy } from '../src/strategies/sparsity/sparsity-strategy.ts';
import { prunableBatchNorms, upstreamModuleOrder } from '../src/strategies/sparsity/upstream-module-order.ts';
import { goldenDir, hasGolden, modelCases, readJson, relErr, useCpu } from './loss-golden.ts';

interface Meta {
  hyp: LossHyp;
  model_gr: number;
  input_shape_nchw: number[];
  pruning_loss: Record<string, unknown> & { sl: number; n_modules: number; 'term_only (loss=0)': number };
  grad_l2_norm_all_params: number;
}

// The gradient pass goes through every layer: the WASM engine (with the engine's training kernels) is
// several times faster than the plain CPU backend.
beforeAll(async () => {
  try {
    await initEngine({ backend: 'wasm' });
  } catch {
    await useCpu();
  }
});

describe.skipIf(!hasGolden)('loss through the model (golden cases)', () => {
  for (const name of modelCases()) {
    describe(name, () => {
      const dir = path.join(goldenDir, name);
      const meta = readJson<Meta>(path.join(dir, 'meta.json'));
      let c: LoadedModelCase;
      beforeAll(async () => {
        c = await loadModelCase(dir, goldenDir);
      });
      afterAll(() => c?.dispose());

      it('prunable BN layers follow upstream modules() indices (230/260/290 skipped)', () => {
        const order = upstreamModuleOrder(c.model);
        const bns = prunableBatchNorms(c.model);
        expect(bns.length).toBe(meta.pruning_loss.n_modules);
        const skippedKey = Object.keys(meta.pruning_loss).find((k) => k.startsWith('skipped_bn'))!;
        const skipped = [230, 260, 290]
          .map((i) => order[i])
          .filter((e) => e && bns.every(([n]) => n !== e[0]) && e[1].constructor.name === 'BatchNorm2d');
        expect(skipped.map(([n]) => n)).toEqual(meta.pruning_loss[skippedKey]);
        if (name.startsWith('mobile')) {
          // README: for mobile-yolo5s_voc these indices are Upsample, Upsample, Detect.
          expect(order[230][1]).toBeInstanceOf(Upsample);
          expect(order[260][1]).toBeInstanceOf(Upsample);
          expect(order[290][1]).toBeInstanceOf(Detect);
        }
      });

      it('sparsity term from the model gammas matches to 1e-5', () => {
        const gammas = prunableBatchNorms(c.model).map(([, bn]) => bn.weight);
        const l = sparsityLoss(gammas, meta.pruning_loss.sl, meta.input_shape_nchw[0]);
        expect(relErr(l.dataSync()[0], meta.pruning_loss['term_only (loss=0)'])).toBeLessThan(1e-5);
      });

      it('the sparsity strategy on the real model adds the upstream term', () => {
        const s = new SparsityStrategy();
        const bs = meta.input_shape_nchw[0];
        // batch 2 of nominal 64: accumulate 32, so the nominal-batch scale of sl is exactly 1.
        s.setup({ config: parseRunConfig({ batch: bs }), student: c.model, hyp: { ...meta.hyp, sl: meta.pruning_loss.sl } });
        expect(s.layerCount).toBe(meta.pruning_loss.n_modules);
        const l = s.extraLoss({
          images: c.input,
          targets: c.targets!,
          nTargets: c.targets!.length / 6,
          epoch: 0,
          iteration: 0,
          batchSize: bs,
          student: { raw: [], features: new Map() },
          hyp: meta.hyp,
        });
        expect(relErr(l.total.dataSync()[0], meta.pruning_loss['term_only (loss=0)'])).toBeLessThan(1e-5);
      });

      it('gradients of compute_loss through the train-mode model match (3e-2 × max|g|)', async () => {
        const grads = await readSafetensorsFile(path.join(dir, 'grads.safetensors'));
        const params = c.model.namedParameters();
        const entries = new Map(c.model.namedEntries());
        const lossMeta = { ...lossMetaFromModel(c.model), gr: meta.model_gr };
        const all = [...params.values()];
        const t0 = Date.now();
        const { value, grads: g } = tf.variableGrads(
          () =>
            computeLoss(
              c.model.forward(c.input, { training: true, updateStats: false }).raw,
              c.targets!,
              lossMeta,
              meta.hyp,
            ).total,
          all,
        );
        for (const key of [...grads.tensors.keys()].filter((k) => k.startsWith('grad.'))) {
          const pname = key.slice(5);
          const ref = grads.tensors.get(key)!.data;
          const mine = toTorch(g[params.get(pname)!.name], entries.get(pname)!.layout).dataSync();
          let scale = 0;
          let err = 0;
          for (let i = 0; i < ref.length; i++) {
            scale = Math.max(scale, Math.abs(ref[i]));
            err = Math.max(err, Math.abs(mine[i] - ref[i]));
          }
          expect(err / scale, pname).toBeLessThan(3e-2);
        }
        const norm = Math.sqrt(all.reduce((s, v) => s + tf.sum(tf.square(g[v.name])).dataSync()[0], 0));
        expect(relErr(norm, meta.grad_l2_norm_all_params)).toBeLessThan(3e-2);
        console.log(`${name}: gradients on ${tf.getBackend()} in ${Date.now() - t0} ms`);
        value.dispose();
        tf.dispose(Object.values(g));
      }, 120_000);
    });
  }
});
