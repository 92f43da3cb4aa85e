/**
 * The `eval --json` shapes (also what the dashboard stores):
 * - coco: `{"stats": [12 numbers, pycocotools order], "perClass": {"<category id>": AP@[.5:.95]}}`
 *   (-1 for categories without ground truth, as pycocotools);
 * - voc07 / voc: `{"mAP": number, "perClass": {"<class name>": AP}}` over classes with ground truth;
 * - yolov5: test.py's `{"mP", "mR", "mAP50", "mAP50_95", "fitness", "perClass": {"<class>": {...}}}`.
 */
import type { CocoResult } from '../coco/coco-eval.ts';
import type { EvalCategory } from '../dataset/types.ts';
import type { VocResult } from '../voc/voc-eval.ts';
import type { TestPyMetrics } from '../yolov5/test-py-metrics.ts';

export interface CocoJson {
  stats: number[];
  perClass: Record<string, number>;
}

export interface VocJson {
  mAP: number;
  perClass: Record<string, number>;
}

export interface YoloV5Json {
  mP: number;
  mR: number;
  mAP50: number;
  mAP50_95: number;
  fitness: number;
  perClass: Record<string, { P: number; R: number; AP50: number; AP50_95: number; targets: number }>;
}

export function cocoJson(r: CocoResult): CocoJson {
  const perClass: Record<string, number> = {};
  for (const c of r.perCategory) perClass[String(c.category.id)] = c.ap;
  return { stats: r.stats, perClass };
}

export function vocJson(r: VocResult, method: '11point' | 'allpoint'): VocJson {
  const perClass: Record<string, number> = {};
  for (const c of r.perClass) if (c.npos > 0) perClass[c.category.name] = method === '11point' ? c.ap11 : c.apAll;
  return { mAP: method === '11point' ? r.map11 : r.mapAll, perClass };
}

export function yolov5Json(m: TestPyMetrics, categories: EvalCategory[]): YoloV5Json {
  const perClass: YoloV5Json['perClass'] = {};
  for (const c of m.perClass) {
    perClass[categories[c.cls]?.name ?? String(c.cls)] = { P: c.p, R: c.r, AP50: c.ap50, AP50_95: c.ap50_95, targets: c.nTargets };
  }
  return { mP: m.mp, mR: m.mr, mAP50: m.map50, mAP50_95: m.map50_95, fitness: m.fitness, perClass };
}
