/**
 * Precision–recall curves as plain data for charts: COCO's interpolated precision at the 101 recall
 * thresholds (one IoU, area all, 100 dets) and VOC's raw per-detection curve.
 */
import type { CocoResult } from '../coco/coco-eval.ts';
import type { VocClassResult } from '../voc/voc-eval.ts';

export interface PrCurve {
  category: { id: number; name: string };
  recall: number[];
  precision: number[];
}

export function cocoPrCurves(result: CocoResult, iouThr = 0.5): PrCurve[] {
  const ev = result.eval;
  const p = ev.params;
  const t = p.iouThrs.findIndex((v) => Math.abs(v - iouThr) < 1e-12);
  if (t < 0) throw new Error(`IoU threshold ${iouThr} is not one of the evaluated thresholds`);
  const R = p.recThrs.length, K = ev.nCats, A = p.areaRng.length, M = p.maxDets.length;
  const a = 0, m = M - 1;
  const out: PrCurve[] = [];
  for (let k = 0; k < K; k++) {
    const precision: number[] = [];
    for (let r = 0; r < R; r++) precision.push(ev.precision[(((t * R + r) * K + k) * A + a) * M + m]);
    if (precision[0] === -1) continue; // no ground truth
    out.push({ category: result.perCategory[k].category, recall: Array.from(p.recThrs), precision });
  }
  return out;
}

/** VOC curves, thinned to at most `maxPoints` (keeping the last point) so a chart stays light. */
export function vocPrCurves(perClass: VocClassResult[], maxPoints = 200): PrCurve[] {
  return perClass
    .filter((c) => c.npos > 0)
    .map((c) => {
      const n = c.recall.length;
      const step = Math.max(1, Math.ceil(n / maxPoints));
      const recall: number[] = [], precision: number[] = [];
      for (let i = 0; i < n; i += step) {
        recall.push(c.recall[i]);
        precision.push(c.precision[i]);
      }
      if (n > 0 && (n - 1) % step !== 0) {
        recall.push(c.recall[n - 1]);
        precision.push(c.precision[n - 1]);
      }
      return { category: c.category, recall, precision };
    });
}
