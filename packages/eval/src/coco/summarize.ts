/**
 * pycocotools `accumulate`'s output arrays and `summarize()`: the 12 stats (means over entries > -1,
 * in numpy's flattening order and summation) and per-category AP from the same arrays.
 */
import { pairwiseSum } from '../numeric/numpy.ts';
import type { CocoCategoryResult } from './evaluate-category.ts';
import type { CocoParams } from './params.ts';

/** `eval['precision']` `[T, R, K, A, M]` and `eval['recall']` `[T, K, A, M]`, -1 where undefined. */
export interface CocoEvalArrays {
  params: CocoParams;
  nCats: number;
  precision: Float64Array;
  recall: Float64Array;
}

export function mergeCocoCategories(params: CocoParams, nCats: number, parts: CocoCategoryResult[]): CocoEvalArrays {
  const T = params.iouThrs.length, R = params.recThrs.length, A = params.areaRng.length, M = params.maxDets.length;
  const K = nCats;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  for (const part of parts) {
    const k = part.k;
    for (let t = 0; t < T; t++) {
      for (let r = 0; r < R; r++) {
        const src = (t * R + r) * A * M;
        precision.set(part.precision.subarray(src, src + A * M), (((t * R + r) * K + k) * A) * M);
      }
      recall.set(part.recall.subarray(t * A * M, (t + 1) * A * M), ((t * K + k) * A) * M);
    }
  }
  return { params, nCats, precision, recall };
}

export const COCO_STAT_NAMES = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'] as const;

interface SummarizeQuery {
  ap: boolean;
  iouThr?: number;
  areaRng?: string;
  maxDets?: number;
  /** Restrict to one category index. */
  k?: number;
}

/** pycocotools `_summarize`: mean over the selected entries > -1, or -1 if none. */
export function summarizeOne(ev: CocoEvalArrays, q: SummarizeQuery): number {
  const p = ev.params;
  const T = p.iouThrs.length, R = p.recThrs.length, K = ev.nCats, A = p.areaRng.length, M = p.maxDets.length;
  const a = p.areaRngLbl.indexOf(q.areaRng ?? 'all');
  const m = p.maxDets.indexOf(q.maxDets ?? 100);
  const ts = q.iouThr === undefined ? [...Array(T).keys()] : [...Array(T).keys()].filter((t) => p.iouThrs[t] === q.iouThr);
  const ks = q.k === undefined ? [...Array(K).keys()] : [q.k];
  const values: number[] = [];
  if (a < 0 || m < 0) return -1;
  for (const t of ts) {
    if (q.ap) {
      for (let r = 0; r < R; r++)
        for (const k of ks) {
          const v = ev.precision[(((t * R + r) * K + k) * A + a) * M + m];
          if (v > -1) values.push(v);
        }
    } else {
      for (const k of ks) {
        const v = ev.recall[((t * K + k) * A + a) * M + m];
        if (v > -1) values.push(v);
      }
    }
  }
  return values.length === 0 ? -1 : pairwiseSum(values) / values.length;
}

/** The 12 numbers of `COCOeval.summarize()` in pycocotools order. */
export function cocoStats(ev: CocoEvalArrays): number[] {
  const md = ev.params.maxDets;
  return [
    summarizeOne(ev, { ap: true, maxDets: md[2] }),
    summarizeOne(ev, { ap: true, iouThr: 0.5, maxDets: md[2] }),
    summarizeOne(ev, { ap: true, iouThr: 0.75, maxDets: md[2] }),
    summarizeOne(ev, { ap: true, areaRng: 'small', maxDets: md[2] }),
    summarizeOne(ev, { ap: true, areaRng: 'medium', maxDets: md[2] }),
    summarizeOne(ev, { ap: true, areaRng: 'large', maxDets: md[2] }),
    summarizeOne(ev, { ap: false, maxDets: md[0] }),
    summarizeOne(ev, { ap: false, maxDets: md[1] }),
    summarizeOne(ev, { ap: false, maxDets: md[2] }),
    summarizeOne(ev, { ap: false, areaRng: 'small', maxDets: md[2] }),
    summarizeOne(ev, { ap: false, areaRng: 'medium', maxDets: md[2] }),
    summarizeOne(ev, { ap: false, areaRng: 'large', maxDets: md[2] }),
  ];
}

/** pycocotools' printed summary lines. */
export function formatCocoSummary(ev: CocoEvalArrays, stats: number[]): string[] {
  const p = ev.params;
  const rows: [boolean, number | undefined, string, number][] = [
    [true, undefined, 'all', p.maxDets[2]],
    [true, 0.5, 'all', p.maxDets[2]],
    [true, 0.75, 'all', p.maxDets[2]],
    [true, undefined, 'small', p.maxDets[2]],
    [true, undefined, 'medium', p.maxDets[2]],
    [true, undefined, 'large', p.maxDets[2]],
    [false, undefined, 'all', p.maxDets[0]],
    [false, undefined, 'all', p.maxDets[1]],
    [false, undefined, 'all', p.maxDets[2]],
    [false, undefined, 'small', p.maxDets[2]],
    [false, undefined, 'medium', p.maxDets[2]],
    [false, undefined, 'large', p.maxDets[2]],
  ];
  const lo = p.iouThrs[0].toFixed(2), hi = p.iouThrs[p.iouThrs.length - 1].toFixed(2);
  return rows.map(([ap, iou, area, md], i) => {
    const title = ap ? 'Average Precision' : 'Average Recall';
    const type = ap ? '(AP)' : '(AR)';
    const iouStr = iou === undefined ? `${lo}:${hi}` : iou.toFixed(2);
    return ` ${title.padEnd(18)} ${type} @[ IoU=${iouStr.padEnd(9)} | area=${area.padStart(6)} | maxDets=${String(md).padStart(3)} ] = ${stats[i].toFixed(3)}`;
  });
}

export interface CocoCategoryAp {
  /** AP@[.5:.95] (area all, 100 dets); -1 if the category has no ground truth. */
  ap: number;
  ap50: number;
  ap75: number;
}

export function cocoPerCategory(ev: CocoEvalArrays): CocoCategoryAp[] {
  const out: CocoCategoryAp[] = [];
  const md = ev.params.maxDets[ev.params.maxDets.length - 1];
  for (let k = 0; k < ev.nCats; k++) {
    out.push({
      ap: summarizeOne(ev, { ap: true, maxDets: md, k }),
      ap50: summarizeOne(ev, { ap: true, iouThr: 0.5, maxDets: md, k }),
      ap75: summarizeOne(ev, { ap: true, iouThr: 0.75, maxDets: md, k }),
    });
  }
  return out;
}
