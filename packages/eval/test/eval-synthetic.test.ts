/** Upstream NMS and test.py metrics on ../shared/golden/eval (synthetic, 50 images, 20 classes). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cxcywhToXyxyF32, nonMaxSuppressionBatch, TestPyAccumulator, testPyMetrics, formatTestPyLine, type TestPyMetrics } from '../src/index.ts';
import { readF32Safetensors } from './safetensors-f32.ts';
import { EVAL_SYNTH, hasEvalSynth } from './shared.ts';

interface EvalData {
  image_width: number;
  image_height: number;
  batch_size_used: number;
  nc: number;
  class_names: string[];
  images: { gt_targets_cls_x_y_w_h_normalized: number[][]; detections_x1y1x2y2_conf_cls: number[][] | null }[];
}
interface MetricsCase {
  test_py_printed_lines: string[];
  mP: number;
  mR: number;
  mAP50: number;
  mAP50_95: number;
  'fitness_train_py (0.1*mAP50 + 0.9*mAP50_95)': number;
  'maps_returned_by_test (per class index 0..19)': number[];
  per_class: { class: number; 'P_at_conf_0.1': number; 'R_at_conf_0.1': number; AP50: number; AP50_95: number; 'AP_per_iou_0.50_to_0.95': number[]; F1: number }[];
}

const load = <T>(f: string): T => JSON.parse(readFileSync(path.join(EVAL_SYNTH, f), 'utf8')) as T;

/** test.py's targets in pixels: `xywh2xyxy(t) · [W, H, W, H]`, float32. */
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

function compare(ours: TestPyMetrics, ref: MetricsCase): void {
  const tol = 1e-6;
  expect(Math.abs(ours.mp - ref.mP)).toBeLessThan(tol);
  expect(Math.abs(ours.mr - ref.mR)).toBeLessThan(tol);
  expect(Math.abs(ours.map50 - ref.mAP50)).toBeLessThan(tol);
  expect(Math.abs(ours.map50_95 - ref.mAP50_95)).toBeLessThan(tol);
  expect(Math.abs(ours.fitness - ref['fitness_train_py (0.1*mAP50 + 0.9*mAP50_95)'])).toBeLessThan(tol);
  ref['maps_returned_by_test (per class index 0..19)'].forEach((v, c) => expect(Math.abs(ours.maps[c] - v)).toBeLessThan(tol));
  expect(ours.perClass.map((c) => c.cls)).toEqual(ref.per_class.map((c) => c.class));
  ref.per_class.forEach((rc, i) => {
    const oc = ours.perClass[i];
    expect(Math.abs(oc.p - rc['P_at_conf_0.1'])).toBeLessThan(tol);
    expect(Math.abs(oc.r - rc['R_at_conf_0.1'])).toBeLessThan(tol);
    expect(Math.abs(oc.f1 - rc.F1)).toBeLessThan(tol);
    rc['AP_per_iou_0.50_to_0.95'].forEach((v, t) => expect(Math.abs(oc.apPerIou[t] - v)).toBeLessThan(tol));
  });
  expect(formatTestPyLine('all', ours.images, ours.targets, ours.mp, ours.mr, ours.map50, ours.map50_95)).toBe(ref.test_py_printed_lines[0]);
}

describe.skipIf(!hasEvalSynth)('golden eval/: NMS and test.py', () => {
  it('M1: detections straight into test.py', () => {
    const data = load<EvalData>('eval_data.json');
    const ref = load<{ M1_detections_to_metrics: MetricsCase }>('metrics.json').M1_detections_to_metrics;
    const acc = new TestPyAccumulator();
    data.images.forEach((im, i) => {
      const d = im.detections_x1y1x2y2_conf_cls;
      acc.addImage(d ? Float32Array.from(d.flat()) : null, targetsOf(data, i), data.image_width, data.image_height);
    });
    compare(testPyMetrics(acc.stats(), data.nc), ref);
  });

  it('M2: raw_pred → upstream NMS (merge, multi-label; and fast) → test.py', () => {
    const data = load<EvalData>('eval_data.json');
    const ref = load<{ M2_raw_to_nms_to_metrics: MetricsCase }>('metrics.json').M2_raw_to_nms_to_metrics;
    const nmsRef = load<{ 'per_image_x1y1x2y2_conf_cls (fast=False, the test.py default path)': (number[][] | null)[]; 'fast=True_counts_per_image': (number | null)[] }>('nms_output.json');
    const raw = readF32Safetensors(path.join(EVAL_SYNTH, 'raw_pred.safetensors')).get('raw_pred')!;
    const fastRows = readF32Safetensors(path.join(EVAL_SYNTH, 'nms_output.safetensors')).get('nms.fast_True')!;
    const [n, rows, no] = raw.shape;
    const bs = data.batch_size_used;
    const acc = new TestPyAccumulator();
    let fastOffset = 0;
    for (let b0 = 0; b0 < n; b0 += bs) {
      const nb = Math.min(bs, n - b0);
      const batch = raw.data.subarray(b0 * rows * no, (b0 + nb) * rows * no);
      const out = nonMaxSuppressionBatch(batch, nb, rows, no, { confThres: 0.001, iouThres: 0.6 });
      const fast = nonMaxSuppressionBatch(batch, nb, rows, no, { confThres: 0.001, iouThres: 0.6, fast: true });
      out.forEach((det, j) => {
        const img = b0 + j;
        const expected = nmsRef['per_image_x1y1x2y2_conf_cls (fast=False, the test.py default path)'][img];
        if (expected === null) expect(det).toBeNull();
        else {
          expect(det).not.toBeNull();
          const flat = expected.flat();
          expect(det!.length).toBe(flat.length);
          flat.forEach((v, k) => expect(Math.abs(det![k] - v)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(v))));
        }
        const fc = nmsRef['fast=True_counts_per_image'][img];
        const fd = fast[j];
        expect(fd === null ? null : fd.length / 6).toBe(fc);
        for (let k = 0; k < (fc ?? 0); k++) {
          for (let c = 0; c < 6; c++) expect(fd![k * 6 + c]).toBe(fastRows.data[(fastOffset + k) * 7 + 1 + c]);
        }
        fastOffset += fc ?? 0;
        acc.addImage(det, targetsOf(data, img), data.image_width, data.image_height);
      });
    }
    compare(testPyMetrics(acc.stats(), data.nc), ref);
  });
});
