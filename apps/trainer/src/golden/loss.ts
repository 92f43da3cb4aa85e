/**
 * Golden checker for the loss area (core/loss, core/strategies):
 * - model cases (a folder with `meta.json` holding `build_targets`/`loss_train_mode` and `io.safetensors`):
 *   `build_targets.<level>` (entry-exact), `loss_train_mode.*` / `loss_eval_mode.*` (compute_loss on the
 *   reference raw outputs, 1e-5 relative), `pruning_loss` and `pruning_loss.n_modules` (the sparsity term
 *   over the prunable BN layers selected by upstream's modules()-index rule on the built model).
 *   Gradients and BN statistics need the model forward and are reported by the models checker.
 * - distillation cases (`meta.json` with `distillation_output_loss`, `distill.safetensors`,
 *   `converters.safetensors`): the output loss (train- and eval-mode teacher, its components, the sum with
 *   the student's compute_loss), the S2.1 converters on the reference student features, the per-level
 *   feature MSEs and the feature loss. Teacher and student outputs come from the model cases the meta
 *   names (`(weights: ../<case>/weights.safetensors)`), so no model is needed.
 * Runs on the current tfjs backend.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  buildTargets,
  computeLoss,
  distillationFeatureLoss,
  distillationOutputLoss,
  FeatureConverter,
  lastWriterMask,
  prunableBatchNorms,
  sparsityLoss,
  type LossHyp,
  type LossModelMeta,
} from '@distillery/core';
import type { SafeFile } from '@distillery/models';
import { findCaseFolders, loadModelCase, readSafetensorsFile } from '@distillery/models/node';
import { check, skipped, type GoldenCheck } from './types.ts';

const LOSS_TOL = 1e-5;
/** Converter outputs: float32 conv + batch statistics over few samples. */
const CONVERTER_TOL = 1e-4;

interface LossValues {
  total: number;
  lbox: number;
  lobj: number;
  lcls: number;
}

interface ModelCaseMeta {
  config: string;
  nc: number;
  hyp: LossHyp;
  model_gr?: number;
  input_shape_nchw?: number[];
  detect: { anchors_grid_units: number[][][] };
  loss_train_mode?: LossValues;
  loss_eval_mode?: LossValues;
  build_targets?: Array<{
    grid_ny_nx: [number, number];
    n: number;
    b: number[];
    a: number[];
    gj: number[];
    gi: number[];
    tcls: number[];
    tbox_xywh_grid: number[][];
    anchor_wh_grid: number[][];
    duplicate_cells?: number;
  }>;
  pruning_loss?: Record<string, unknown> & { sl: number; n_modules: number; 'term_only (loss=0)': number };
}

interface DistillMeta {
  teacher: string;
  student: string;
  hyp: LossHyp;
  batch_size?: number;
  distillation_output_loss?: Record<string, unknown>;
  distillation_feature_loss?: Record<string, unknown>;
}

function readMeta<T>(dir: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Folders under root (itself included, a few levels deep) holding a meta.json. */
function metaFolders(root: string, depth = 4): string[] {
  return findCaseFolders(root, (dir) => existsSync(path.join(dir, 'meta.json')), depth);
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
const num = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);

function tensorOf(file: SafeFile, name: string): tf.Tensor {
  const t = file.tensors.get(name);
  if (!t) throw new Error(`missing tensor '${name}'`);
  return tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? 'int32' : 'float32');
}

function rawLevels(io: SafeFile, mode: 'train' | 'eval'): tf.Tensor5D[] {
  const out: tf.Tensor5D[] = [];
  for (let k = 0; io.tensors.has(`${mode}.raw.${k}`); k++)
    out.push(tensorOf(io, `${mode}.raw.${k}`) as tf.Tensor5D);
  return out;
}

function lossMetaOf(meta: ModelCaseMeta): LossModelMeta {
  return { nc: meta.nc, anchors: meta.detect.anchors_grid_units, gr: meta.model_gr ?? 1 };
}

async function checkModelCaseLoss(
  root: string,
  dir: string,
  name: string,
  meta: ModelCaseMeta,
): Promise<GoldenCheck[]> {
  const out: GoldenCheck[] = [];
  const io = await readSafetensorsFile(path.join(dir, 'io.safetensors'));
  const targets = Float32Array.from(io.tensors.get('targets')?.data ?? []);
  const lossMeta = lossMetaOf(meta);

  (meta.build_targets ?? []).forEach((g, level) => {
    const [lt] = buildTargets(
      [g.grid_ny_nx],
      targets,
      { anchors: [lossMeta.anchors[level]] },
      meta.hyp.anchor_t,
    );
    let mismatches = Math.abs(lt.n - g.n);
    const n = Math.min(lt.n, g.n);
    for (let i = 0; i < n; i++) {
      const same =
        lt.b[i] === g.b[i] &&
        lt.a[i] === g.a[i] &&
        lt.gj[i] === g.gj[i] &&
        lt.gi[i] === g.gi[i] &&
        lt.tcls[i] === g.tcls[i] &&
        g.tbox_xywh_grid[i].every((v, k) => Math.fround(v) === lt.tbox[i * 4 + k]) &&
        g.anchor_wh_grid[i].every((v, k) => Math.fround(v) === lt.anchors[i * 2 + k]);
      if (!same) mismatches++;
    }
    if (g.duplicate_cells !== undefined) {
      const writers = lastWriterMask(lt, lossMeta.anchors[level].length).reduce((s, m) => s + m, 0);
      mismatches += Math.abs(lt.n - writers - g.duplicate_cells);
    }
    out.push(
      check(`${name}/build_targets.${level}`, mismatches, 0, `${lt.n} entries; err = entries that differ`),
    );
  });

  for (const mode of ['train', 'eval'] as const) {
    const want = mode === 'train' ? meta.loss_train_mode : meta.loss_eval_mode;
    if (!want) continue;
    const raw = rawLevels(io, mode);
    const l = computeLoss(raw, targets, lossMeta, meta.hyp);
    for (const k of ['total', 'lbox', 'lobj', 'lcls'] as const) {
      out.push(
        check(`${name}/loss_${mode}_mode.${k}`, rel(l[k].dataSync()[0], want[k]), LOSS_TOL, 'relative'),
      );
    }
    tf.dispose([...raw, ...Object.values(l)]);
  }

  const pl = meta.pruning_loss;
  if (pl) {
    let c;
    try {
      c = await loadModelCase(dir, root);
    } catch (e) {
      out.push(skipped(`${name}/pruning_loss`, `needs the model: ${(e as Error).message}`));
    }
    if (c) {
      try {
        const bns = prunableBatchNorms(c.model);
        out.push(
          check(
            `${name}/pruning_loss.n_modules`,
            Math.abs(bns.length - pl.n_modules),
            0,
            `${bns.length} prunable BN layers`,
          ),
        );
        const bs = meta.input_shape_nchw?.[0] ?? c.input.shape[0];
        const l = sparsityLoss(
          bns.map(([, bn]) => bn.weight),
          pl.sl,
          bs,
        );
        out.push(
          check(`${name}/pruning_loss`, rel(l.dataSync()[0], pl['term_only (loss=0)']), LOSS_TOL, 'relative'),
        );
        l.dispose();
      } finally {
        c.dispose();
      }
    }
  }
  return out;
}

/** The model-case folder a distill meta names: `(weights: ../<case>/weights.safetensors)`, else by config name. */
function caseFolder(distillDir: string, description: string, candidates: string[]): string | undefined {
  const m = /weights:\s*([^)\s]+)/.exec(description);
  if (m) {
    const dir = path.resolve(distillDir, path.dirname(m[1]));
    if (existsSync(path.join(dir, 'io.safetensors'))) return dir;
  }
  const model = description.split(/[\s(]/)[0];
  return candidates.find((d) => {
    const meta = readMeta<{ config?: string }>(d);
    return meta?.config !== undefined && path.basename(meta.config).replace(/\.ya?ml$/, '') === model;
  });
}

async function checkDistillCase(
  dir: string,
  name: string,
  meta: DistillMeta,
  modelCases: string[],
): Promise<GoldenCheck[]> {
  const out: GoldenCheck[] = [];
  const studentDir = caseFolder(dir, meta.student, modelCases);
  const teacherDir = caseFolder(dir, meta.teacher, modelCases);
  const dout = meta.distillation_output_loss;
  if (dout) {
    if (!studentDir || !teacherDir) {
      out.push(
        skipped(
          `${name}/distillation_output_loss`,
          `cannot find the teacher/student cases named in meta.json`,
        ),
      );
    } else {
      const [sio, tio] = await Promise.all([
        readSafetensorsFile(path.join(studentDir, 'io.safetensors')),
        readSafetensorsFile(path.join(teacherDir, 'io.safetensors')),
      ]);
      const studentMeta = readMeta<ModelCaseMeta>(studentDir)!;
      const s = rawLevels(sio, 'train');
      const nc = studentMeta.nc;
      for (const mode of ['train', 'eval'] as const) {
        const key = Object.keys(dout).find((k) =>
          mode === 'train' ? k.startsWith('term_only (') : k.startsWith('term_only_teacher_in_eval_mode'),
        );
        if (!key) continue;
        const t = rawLevels(tio, mode);
        const l = distillationOutputLoss(s, t, nc, meta.hyp);
        const q = mode === 'train' ? 'distillation_output_loss' : 'distillation_output_loss.eval_teacher';
        out.push(check(`${name}/${q}`, rel(l.total.dataSync()[0], num(dout[key])), LOSS_TOL, 'relative'));
        if (mode === 'train') {
          const comps = dout.components_times_gain_times_dist_times_bs as Record<string, number> | undefined;
          for (const k of ['lbox', 'lobj', 'lcls'] as const) {
            if (comps?.[k] !== undefined)
              out.push(check(`${name}/${q}.${k}`, rel(l[k].dataSync()[0], comps[k]), LOSS_TOL, 'relative'));
          }
          const added = dout.added_to_student_compute_loss_total;
          if (typeof added === 'number') {
            const targets = Float32Array.from(sio.tensors.get('targets')?.data ?? []);
            const det = computeLoss(s, targets, lossMetaOf(studentMeta), meta.hyp);
            out.push(
              check(
                `${name}/${q}.added_to_student_total`,
                rel(det.total.dataSync()[0] + l.total.dataSync()[0], added),
                LOSS_TOL,
                'relative',
              ),
            );
            tf.dispose(Object.values(det));
          }
        }
        tf.dispose([...t, ...Object.values(l)]);
      }
      tf.dispose(s);
    }
  }

  const dfeat = meta.distillation_feature_loss;
  const featPath = path.join(dir, 'distill.safetensors');
  const convPath = path.join(dir, 'converters.safetensors');
  if (dfeat && existsSync(featPath) && existsSync(convPath)) {
    const [feats, convs] = await Promise.all([readSafetensorsFile(featPath), readSafetensorsFile(convPath)]);
    const nhwc = (t: tf.Tensor) => tf.transpose(t, [0, 2, 3, 1]) as tf.Tensor4D;
    const converted: tf.Tensor4D[] = [];
    const teacher: tf.Tensor4D[] = [];
    for (let k = 0; feats.tensors.has(`feat.student_raw.${k}`); k++) {
      const sRaw = nhwc(tensorOf(feats, `feat.student_raw.${k}`));
      const want = nhwc(tensorOf(feats, `feat.student_converted.${k}`));
      const prefix = `S_Converter_${k + 1}.`;
      const state = new Map(
        [...convs.tensors].filter(([n]) => n.startsWith(prefix)).map(([n, t]) => [n.slice(prefix.length), t]),
      );
      const kind = state.has('bn.weight') ? 'conv-bn-relu6' : 'conv';
      const conv = new FeatureConverter(sRaw.shape[3], want.shape[3], kind);
      conv.loadTorchState(state, `${convPath} ${prefix}*`);
      const got = conv.forward(sRaw);
      out.push(
        check(
          `${name}/converter.${k}`,
          tf.max(tf.abs(tf.sub(got, want))).dataSync()[0],
          CONVERTER_TOL,
          'max |Δ|',
        ),
      );
      const tRaw = nhwc(tensorOf(feats, `feat.teacher_raw.${k}`));
      const t = kind === 'conv-bn-relu6' ? tf.relu6(tRaw) : tRaw;
      const mse = dfeat['mse_each (mean reduction)'] as number[] | undefined;
      if (mse?.[k] !== undefined) {
        out.push(
          check(
            `${name}/distillation_feature_loss.mse.${k}`,
            rel(tf.mean(tf.squaredDifference(got, t)).dataSync()[0], mse[k]),
            CONVERTER_TOL,
            'relative',
          ),
        );
      }
      converted.push(got);
      teacher.push(t as tf.Tensor4D);
      conv.dispose();
    }
    const term = Object.keys(dfeat).find((k) => k.startsWith('term_only'));
    if (term && converted.length) {
      const l = distillationFeatureLoss(converted, teacher, meta.hyp.dist ?? 1);
      out.push(
        check(
          `${name}/distillation_feature_loss`,
          rel(l.dataSync()[0], num(dfeat[term])),
          LOSS_TOL,
          'relative, through the converters',
        ),
      );
      const exact = [...Array(converted.length).keys()].map((k) =>
        nhwc(tensorOf(feats, `feat.student_converted.${k}`)),
      );
      const l2 = distillationFeatureLoss(exact, teacher, meta.hyp.dist ?? 1);
      out.push(
        check(
          `${name}/distillation_feature_loss.from_reference_features`,
          rel(l2.dataSync()[0], num(dfeat[term])),
          LOSS_TOL,
          'relative',
        ),
      );
      tf.dispose([l, l2, ...exact]);
    }
    tf.dispose([...converted, ...teacher]);
  }
  return out;
}

export async function checkLoss(dir: string): Promise<GoldenCheck[]> {
  const out: GoldenCheck[] = [];
  const folders = metaFolders(dir);
  const modelCases = folders.filter((d) => existsSync(path.join(d, 'io.safetensors')));
  for (const caseDir of folders) {
    const name = path.relative(dir, caseDir) || path.basename(caseDir);
    const meta = readMeta<Record<string, unknown>>(caseDir);
    if (!meta) continue;
    try {
      if (existsSync(path.join(caseDir, 'io.safetensors')) && (meta.build_targets || meta.loss_train_mode)) {
        out.push(...(await checkModelCaseLoss(dir, caseDir, name, meta as unknown as ModelCaseMeta)));
      } else if (meta.distillation_output_loss || meta.distillation_feature_loss) {
        out.push(...(await checkDistillCase(caseDir, name, meta as unknown as DistillMeta, modelCases)));
      }
    } catch (e) {
      out.push({ ...check(`${name}/loss`, Infinity, 0), detail: (e as Error).message });
    }
  }
  return out;
}

export default checkLoss;
