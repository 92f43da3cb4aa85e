/**
 * Golden checker for evaluation. Looks through DIR for two kinds of folders, recognised by their files:
 * - NMS + test.py cases: `eval_data.json`, `metrics.json`, `raw_pred.safetensors`, `nms_output.json`
 *   (+ `nms_output.safetensors`). Quantities: `nms.fast_False`, `nms.fast_True` (max relative error of
 *   the rows), and for M1 (detections → test.py) and M2 (raw → NMS → test.py): `<M>.mP`, `.mR`,
 *   `.mAP50`, `.mAP50_95`, `.fitness`, `.maps`, `.perClass` (P, R, F1, AP at every IoU), `.tp`
 *   (matching matrix, count of differing entries).
 * - Reference-evaluator cases: `expected.json` with `pycocotools` and/or `voc_eval` and its dets file.
 *   Ground truth: `expected.gt.file` or `gt.shared_path`, found in the case folder or any folder
 *   above it. Quantities: `coco.stats`, `coco.perClass`, `voc07.mAP`, `voc07.perClass`, `voc.mAP`,
 *   `voc.perClass`, and the same with `.continuous`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  cocoEval,
  cxcywhToXyxyF32,
  nonMaxSuppressionBatch,
  TestPyAccumulator,
  testPyMetrics,
  vocEval,
  type GroundTruth,
  type TestPyMetrics,
} from '@distillery/eval';
import { readDetectionsFile, readGroundTruth } from '@distillery/eval/node';
import { findCaseFolders, readSafetensorsFile } from '@distillery/models/node';
import { check, skipped, type GoldenCheck } from './types.ts';

const METRIC_TOL = 1e-6;
const NMS_TOL = 1e-4;

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const has = (dir: string, ...files: string[]): boolean => files.every((f) => existsSync(path.join(dir, f)));

export async function checkEval(dir: string): Promise<GoldenCheck[]> {
  const out: GoldenCheck[] = [];
  for (const caseDir of findCaseFolders(dir, () => true, 6)) {
    const name = path.relative(dir, caseDir) || path.basename(caseDir);
    if (has(caseDir, 'eval_data.json', 'metrics.json', 'raw_pred.safetensors', 'nms_output.json')) out.push(...(await checkSyntheticCase(caseDir, name)));
    else if (has(caseDir, 'expected.json')) {
      const exp = readJson<RealExpected>(path.join(caseDir, 'expected.json'));
      if (exp && (exp.pycocotools || exp.voc_eval) && exp.dets_file) out.push(...checkRealCase(caseDir, name, exp));
    }
  }
  return out;
}

// ---------------------------------------------------------------- NMS + test.py (synthetic)

interface EvalData {
  image_width: number;
  image_height: number;
  batch_size_used: number;
  nc: number;
  images: { gt_targets_cls_x_y_w_h_normalized: number[][]; detections_x1y1x2y2_conf_cls: number[][] | null }[];
}
interface MetricsCase {
  mP: number;
  mR: number;
  mAP50: number;
  mAP50_95: number;
  [key: string]: unknown;
}

function targetsOf(data: EvalData, i: number): Float64Array {
  const rows = data.images[i].gt_targets_cls_x_y_w_h_normalized;
  const out = new Float64Array(rows.length * 5);
  const f = Math.fround;
  rows.forEach((r, j) => {
    const b = cxcywhToXyxyF32(f(r[1]), f(r[2]), f(r[3]), f(r[4]));
    out.set([r[0], f(b[0] * data.image_width), f(b[1] * data.image_height), f(b[2] * data.image_width), f(b[3] * data.image_height)], j * 5);
  });
  return out;
}

function findKey(obj: Record<string, unknown>, prefix: string): unknown {
  const k = Object.keys(obj).find((key) => key.startsWith(prefix));
  return k === undefined ? undefined : obj[k];
}

function metricChecks(prefix: string, ours: TestPyMetrics, ref: MetricsCase, tpOurs?: Uint8Array): GoldenCheck[] {
  const out: GoldenCheck[] = [];
  const scalar = (q: string, a: number, b: unknown): void => {
    if (typeof b === 'number') out.push(check(`${prefix}.${q}`, Math.abs(a - b), METRIC_TOL));
    else out.push(skipped(`${prefix}.${q}`, 'reference value missing'));
  };
  scalar('mP', ours.mp, ref.mP);
  scalar('mR', ours.mr, ref.mR);
  scalar('mAP50', ours.map50, ref.mAP50);
  scalar('mAP50_95', ours.map50_95, ref.mAP50_95);
  scalar('fitness', ours.fitness, findKey(ref, 'fitness'));
  const maps = findKey(ref, 'maps') as number[] | undefined;
  if (Array.isArray(maps)) out.push(check(`${prefix}.maps`, Math.max(0, ...maps.map((v, c) => Math.abs(v - ours.maps[c]))), METRIC_TOL));
  const per = ref.per_class as Record<string, unknown>[] | undefined;
  if (Array.isArray(per)) {
    let err = ours.perClass.length === per.length ? 0 : Infinity;
    per.forEach((rc) => {
      const oc = ours.perClass.find((c) => c.cls === rc.class);
      if (!oc) return void (err = Infinity);
      const pairs: [number, unknown][] = [
        [oc.p, findKey(rc, 'P_at')],
        [oc.r, findKey(rc, 'R_at')],
        [oc.f1, rc.F1],
        [oc.ap50, rc.AP50],
        [oc.ap50_95, rc.AP50_95],
        ...oc.apPerIou.map((v, t): [number, unknown] => [v, (findKey(rc, 'AP_per_iou') as number[] | undefined)?.[t]]),
      ];
      for (const [a, b] of pairs) if (typeof b === 'number') err = Math.max(err, Math.abs(a - b));
    });
    out.push(check(`${prefix}.perClass`, err, METRIC_TOL));
  }
  const stats = findKey(ref, 'stats_passed') as Record<string, unknown> | undefined;
  const tpRef = stats ? (findKey(stats, 'tp') as number[][] | undefined) : undefined;
  if (tpOurs && Array.isArray(tpRef)) {
    const flat = tpRef.flat();
    let diff = flat.length === tpOurs.length ? 0 : Math.abs(flat.length - tpOurs.length);
    for (let i = 0; i < Math.min(flat.length, tpOurs.length); i++) if (flat[i] !== tpOurs[i]) diff++;
    out.push(check(`${prefix}.tp`, diff, 0, 'entries of the n×10 matching matrix that differ'));
  }
  return out;
}

async function checkSyntheticCase(caseDir: string, name: string): Promise<GoldenCheck[]> {
  const out: GoldenCheck[] = [];
  const data = readJson<EvalData>(path.join(caseDir, 'eval_data.json'));
  const metrics = readJson<Record<string, MetricsCase>>(path.join(caseDir, 'metrics.json'));
  const m1 = findKey(metrics, 'M1') as MetricsCase | undefined;
  const m2 = findKey(metrics, 'M2') as MetricsCase | undefined;
  const W = data.image_width, H = data.image_height;

  if (m1) {
    const acc = new TestPyAccumulator();
    data.images.forEach((im, i) => {
      const d = im.detections_x1y1x2y2_conf_cls;
      acc.addImage(d ? Float32Array.from(d.flat()) : null, targetsOf(data, i), W, H);
    });
    const stats = acc.stats();
    out.push(...metricChecks(`${name}/M1`, testPyMetrics(stats, data.nc), m1, stats.correct));
  }

  const raw = (await readSafetensorsFile(path.join(caseDir, 'raw_pred.safetensors'))).tensors.get('raw_pred');
  if (!raw) return [...out, skipped(`${name}/nms.fast_False`, 'raw_pred.safetensors has no raw_pred')];
  const [n, rows, no] = raw.shape;
  const pred = raw.data instanceof Float32Array ? raw.data : Float32Array.from(raw.data);
  const bs = data.batch_size_used || n;
  const nmsJson = readJson<Record<string, unknown>>(path.join(caseDir, 'nms_output.json'));
  const refFalse = findKey(nmsJson, 'per_image') as (number[][] | null)[] | undefined;
  const nmsSt = has(caseDir, 'nms_output.safetensors') ? (await readSafetensorsFile(path.join(caseDir, 'nms_output.safetensors'))).tensors : new Map();
  const refTrue = nmsSt.get('nms.fast_True') as { shape: number[]; data: Float32Array } | undefined;

  const acc = new TestPyAccumulator();
  const oursTrue: number[] = [];
  let errFalse = 0;
  for (let b0 = 0; b0 < n; b0 += bs) {
    const nb = Math.min(bs, n - b0);
    const batch = pred.subarray(b0 * rows * no, (b0 + nb) * rows * no);
    const merged = nonMaxSuppressionBatch(batch, nb, rows, no, { confThres: 0.001, iouThres: 0.6 });
    const fast = nonMaxSuppressionBatch(batch, nb, rows, no, { confThres: 0.001, iouThres: 0.6, fast: true });
    merged.forEach((det, j) => {
      const img = b0 + j;
      const ref = refFalse?.[img];
      if (refFalse) {
        if ((ref === null) !== (det === null)) errFalse = Infinity;
        else if (ref && det) {
          const flat = ref.flat();
          if (flat.length !== det.length) errFalse = Infinity;
          else flat.forEach((v, k) => (errFalse = Math.max(errFalse, Math.abs(det[k] - v) / Math.max(1, Math.abs(v)))));
        }
      }
      acc.addImage(det, targetsOf(data, img), W, H);
    });
    fast.forEach((det, j) => {
      if (det) for (let k = 0; k < det.length; k += 6) oursTrue.push(b0 + j, ...det.subarray(k, k + 6));
    });
  }
  out.push(refFalse ? check(`${name}/nms.fast_False`, errFalse, NMS_TOL, 'max relative error of x1 y1 x2 y2 conf cls') : skipped(`${name}/nms.fast_False`, 'no per-image reference'));
  if (refTrue) {
    let err = refTrue.data.length === oursTrue.length ? 0 : Infinity;
    for (let i = 0; i < Math.min(oursTrue.length, refTrue.data.length); i++) err = Math.max(err, Math.abs(oursTrue[i] - refTrue.data[i]) / Math.max(1, Math.abs(refTrue.data[i])));
    out.push(check(`${name}/nms.fast_True`, err, NMS_TOL, 'rows image x1 y1 x2 y2 conf cls'));
  } else out.push(skipped(`${name}/nms.fast_True`, 'nms_output.safetensors missing'));
  if (m2) {
    const stats = acc.stats();
    out.push(...metricChecks(`${name}/M2`, testPyMetrics(stats, data.nc), m2, stats.correct));
  }
  return out;
}

// ---------------------------------------------------------------- pycocotools / voc_eval (real)

interface VocExpected {
  summary: { mAP_11pt: number; mAP_allpt: number };
  per_class: Record<string, { AP_11pt: number; AP_allpt: number }>;
}
interface RealExpected {
  dets_file?: string;
  gt?: { file?: string; shared_path?: string };
  pycocotools?: { stats_list: number[]; per_category: Record<string, { AP: number | null; AP50: number | null; AP75: number | null }> };
  voc_eval?: { plus1?: VocExpected; continuous?: VocExpected };
}

/** A path relative to the case folder or any folder above it (the set's layout is not assumed). */
function findUp(start: string, rel: string): string | undefined {
  for (let d = path.resolve(start); ; d = path.dirname(d)) {
    const p = path.join(d, rel);
    if (existsSync(p)) return p;
    if (path.dirname(d) === d) return undefined;
  }
}

function checkRealCase(caseDir: string, name: string, exp: RealExpected): GoldenCheck[] {
  const out: GoldenCheck[] = [];
  const rel = exp.gt?.file ?? exp.gt?.shared_path;
  const gtPath = rel ? findUp(caseDir, rel) : undefined;
  if (!gtPath || !(existsSync(gtPath) && (statSync(gtPath).isFile() || statSync(gtPath).isDirectory()))) {
    return [skipped(`${name}/gt`, `ground truth ${rel ?? '(not named)'} not found from ${caseDir}`)];
  }
  let gt: GroundTruth;
  try {
    gt = readGroundTruth(gtPath);
  } catch (error) {
    return [check(`${name}/gt`, Infinity, 0, `cannot read ground truth: ${(error as Error).message}`)];
  }
  const dt = readDetectionsFile(path.join(caseDir, exp.dets_file!), gt);
  const pc = exp.pycocotools;
  if (pc) {
    const r = cocoEval(gt, dt);
    out.push(check(`${name}/coco.stats`, Math.max(...r.stats.map((s, i) => Math.abs(s - pc.stats_list[i]))), METRIC_TOL));
    let err = 0;
    for (const c of r.perCategory) {
      const ref = pc.per_category[String(c.category.id)];
      if (!ref) {
        err = Infinity;
        continue;
      }
      err = Math.max(err, Math.abs(c.ap - (ref.AP ?? -1)), Math.abs(c.ap50 - (ref.AP50 ?? -1)), Math.abs(c.ap75 - (ref.AP75 ?? -1)));
    }
    out.push(check(`${name}/coco.perClass`, err, METRIC_TOL, 'AP, AP50, AP75 per category'));
  }
  for (const variant of ['plus1', 'continuous'] as const) {
    const ve = exp.voc_eval?.[variant];
    if (!ve) continue;
    const r = vocEval(gt, dt, { continuous: variant === 'continuous' });
    const suffix = variant === 'continuous' ? '.continuous' : '';
    out.push(check(`${name}/voc07${suffix}.mAP`, Math.abs(r.map11 - ve.summary.mAP_11pt), METRIC_TOL));
    out.push(check(`${name}/voc${suffix}.mAP`, Math.abs(r.mapAll - ve.summary.mAP_allpt), METRIC_TOL));
    let e11 = 0, eAll = 0;
    const ours = new Map(r.perClass.filter((c) => c.npos > 0).map((c) => [c.category.name, c]));
    if (ours.size !== Object.keys(ve.per_class).length) e11 = eAll = Infinity;
    for (const [cls, ref] of Object.entries(ve.per_class)) {
      const c = ours.get(cls);
      if (!c) {
        e11 = eAll = Infinity;
        continue;
      }
      e11 = Math.max(e11, Math.abs(c.ap11 - ref.AP_11pt));
      eAll = Math.max(eAll, Math.abs(c.apAll - ref.AP_allpt));
    }
    out.push(check(`${name}/voc07${suffix}.perClass`, e11, METRIC_TOL));
    out.push(check(`${name}/voc${suffix}.perClass`, eAll, METRIC_TOL));
  }
  return out;
}
