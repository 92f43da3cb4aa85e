import path from 'node:path';
import { initEngine } from '@distillery/models/node';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTargets, lastWriterMask } from '../src/loss/build-targets.ts';
import { computeLoss } from '../src/loss/compute-loss.ts';
import type { LossHyp, LossModelMeta } from '../src/loss/hyp.ts';
import {
  goldenDir,
  gradientsRegistered,
  hasGolden,
  modelCases,
  readJson,
  readTensors,
  relErr,
  useCpu,
} from './loss-golden.ts';

interface LossValues {
  total: number;
  lbox: number;
  lobj: number;
  lcls: number;
}
interface GoldenLevel {
  grid_ny_nx: [number, number];
  n: number;
  b: number[];
  a: number[];
  gj: number[];
  gi: number[];
  tcls: number[];
  tbox_xywh_grid: number[][];
  anchor_wh_grid: number[][];
  duplicate_cells: number;
}
interface CaseMeta {
  nc: number;
  hyp: LossHyp;
  model_gr: number;
  detect: { anchors_grid_units: number[][][] };
  loss_train_mode: LossValues;
  loss_eval_mode: LossValues;
  build_targets: GoldenLevel[];
}

beforeAll(useCpu);

describe.skipIf(!hasGolden)('loss against the upstream golden cases', () => {
  for (const name of modelCases()) {
    describe(name, () => {
      const meta = readJson<CaseMeta>(path.join(goldenDir, name, 'meta.json'));
      const lossMeta: LossModelMeta = {
        nc: meta.nc,
        anchors: meta.detect.anchors_grid_units,
        gr: meta.model_gr,
      };
      let io: Map<string, tf.Tensor>;
      beforeAll(async () => {
        io = await readTensors(path.join(goldenDir, name, 'io.safetensors'));
      });

      it('build_targets matches entry for entry', () => {
        const targets = io.get('targets')!.dataSync();
        const grids = meta.build_targets.map((l) => l.grid_ny_nx);
        const levels = buildTargets(grids, targets, lossMeta, meta.hyp.anchor_t);
        levels.forEach((lt, i) => {
          const g = meta.build_targets[i];
          expect(lt.n).toBe(g.n);
          expect(Array.from(lt.b)).toEqual(g.b);
          expect(Array.from(lt.a)).toEqual(g.a);
          expect(Array.from(lt.gj)).toEqual(g.gj);
          expect(Array.from(lt.gi)).toEqual(g.gi);
          expect(Array.from(lt.tcls)).toEqual(g.tcls);
          expect(Array.from(lt.tbox)).toEqual(g.tbox_xywh_grid.flat().map(Math.fround));
          expect(Array.from(lt.anchors)).toEqual(g.anchor_wh_grid.flat().map(Math.fround));
          const writers = lastWriterMask(lt, lossMeta.anchors[i].length).reduce((s, m) => s + m, 0);
          expect(lt.n - writers).toBe(g.duplicate_cells);
        });
      });

      it('compute_loss is backend-independent: the same numbers on WASM', async (ctx) => {
        try {
          await initEngine({ backend: 'wasm' });
        } catch {
          ctx.skip();
        }
        try {
          const raw = [0, 1, 2].map((k) => {
            const t = io.get(`train.raw.${k}`) as tf.Tensor5D;
            return tf.tensor5d(t.dataSync() as Float32Array, t.shape);
          });
          const loss = computeLoss(raw, io.get('targets')!.dataSync(), lossMeta, meta.hyp);
          for (const k of ['total', 'lbox', 'lobj', 'lcls'] as const) {
            expect(relErr(loss[k].dataSync()[0], meta.loss_train_mode[k]), k).toBeLessThan(1e-5);
          }
          tf.dispose([...raw, ...Object.values(loss)]);
        } finally {
          await useCpu();
        }
      });

      for (const mode of ['train', 'eval'] as const) {
        it(`compute_loss on ${mode}-mode outputs matches to 1e-5 relative`, () => {
          const raw = [0, 1, 2].map((k) => io.get(`${mode}.raw.${k}`) as tf.Tensor5D);
          const loss = computeLoss(raw, io.get('targets')!.dataSync(), lossMeta, meta.hyp);
          const want = mode === 'train' ? meta.loss_train_mode : meta.loss_eval_mode;
          for (const k of ['total', 'lbox', 'lobj', 'lcls'] as const) {
            expect(relErr(loss[k].dataSync()[0], want[k]), k).toBeLessThan(1e-5);
          }
          tf.dispose(Object.values(loss));
        });
      }

      it.skipIf(!gradientsRegistered())(
        'objectness target is detached: d total / d obj-logit = bs·obj·(σ(x) − tobj)/cells',
        () => {
          const raw = [0, 1, 2].map((k) => io.get(`train.raw.${k}`) as tf.Tensor5D);
          const targets = io.get('targets')!.dataSync();
          const grads = tf.grads(
            (...xs: tf.Tensor[]) => computeLoss(xs as tf.Tensor5D[], targets, lossMeta, meta.hyp).total,
          )(raw);
          const levels = buildTargets(
            meta.build_targets.map((l) => l.grid_ny_nx),
            targets,
            lossMeta,
            meta.hyp.anchor_t,
          );
          // A cell no target trains: its objectness gradient is the BCE-against-0 gradient only.
          const [bs, na, ny, nx] = raw[0].shape;
          const used = new Set(
            Array.from(levels[0].b, (b, i) => `${b},${levels[0].a[i]},${levels[0].gj[i]},${levels[0].gi[i]}`),
          );
          let cell = [0, 0, 0, 0];
          outer: for (let b = 0; b < bs; b++)
            for (let a = 0; a < na; a++)
              for (let y = 0; y < ny; y++)
                for (let x = 0; x < nx; x++)
                  if (!used.has(`${b},${a},${y},${x}`)) {
                    cell = [b, a, y, x];
                    break outer;
                  }
          const logit = raw[0].bufferSync().get(...cell, 4);
          const g = grads[0].bufferSync().get(...cell, 4);
          const expected = (bs * meta.hyp.obj * (1 / (1 + Math.exp(-logit)))) / (bs * na * ny * nx);
          expect(relErr(g, expected)).toBeLessThan(1e-4);
          // Cells that hold a target also get box/class gradients.
          const b0 = levels[0];
          const gBox = grads[0].bufferSync().get(b0.b[0], b0.a[0], b0.gj[0], b0.gi[0], 0);
          expect(Math.abs(gBox)).toBeGreaterThan(0);
          tf.dispose(grads);
        },
      );
    });
  }
});

describe('loss input checks', () => {
  const meta: LossModelMeta = { nc: 2, anchors: [[[1, 1]]] };
  const hyp: LossHyp = { giou: 0.05, obj: 1, cls: 0.0145, cls_pw: 1, obj_pw: 1, anchor_t: 4, fl_gamma: 0 };
  it('rejects a class outside [0, nc) naming the row', () => {
    const raw = [tf.zeros([1, 1, 4, 4, 7]) as tf.Tensor5D];
    expect(() => computeLoss(raw, [0, 5, 0.5, 0.5, 0.1, 0.1], meta, hyp)).toThrow(/targets row 0: class 5/);
  });
  it('rejects an output whose field count does not fit nc', () => {
    const raw = [tf.zeros([1, 1, 4, 4, 9]) as tf.Tensor5D];
    expect(() => computeLoss(raw, [], meta, hyp)).toThrow(/expected \[bs, 1, ny, nx, 7\]/);
  });
  it('with no targets only the objectness term remains', () => {
    const raw = [tf.fill([2, 1, 4, 4, 7], -2) as tf.Tensor5D];
    const l = computeLoss(raw, [], meta, hyp);
    expect(l.lbox.dataSync()[0]).toBe(0);
    expect(l.lcls.dataSync()[0]).toBe(0);
    expect(l.lobj.dataSync()[0]).toBeCloseTo(Math.log1p(Math.exp(-2)), 6);
    expect(l.total.dataSync()[0]).toBeCloseTo(2 * Math.log1p(Math.exp(-2)), 5);
  });
});
