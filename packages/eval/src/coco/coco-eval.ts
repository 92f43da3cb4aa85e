/**
 * COCOeval (bbox) in one call: group, evaluate every category, merge, summarize. For parallel use,
 * split categories with `partitionCategories`, run `evaluateCocoCategories` on each part (in workers),
 * then `finishCocoEval(params, gt, parts)`.
 */
import type { Detections, EvalCategory, GroundTruth } from '../dataset/types.ts';
import { evaluateCocoCategory, type CocoCategoryResult } from './evaluate-category.ts';
import { groupCoco } from './grouping.ts';
import { defaultCocoParams, type CocoParams } from './params.ts';
import { cocoPerCategory, cocoStats, mergeCocoCategories, type CocoCategoryAp, type CocoEvalArrays } from './summarize.ts';

export interface CocoResult {
  /** The 12 summary stats in pycocotools order. */
  stats: number[];
  /** Per category (same order as `gt.categories`). */
  perCategory: (CocoCategoryAp & { category: EvalCategory })[];
  eval: CocoEvalArrays;
}

/** Evaluates the given category indices (all when omitted). */
export function evaluateCocoCategories(gt: GroundTruth, dt: Detections, categories?: ArrayLike<number>, params: CocoParams = defaultCocoParams()): CocoCategoryResult[] {
  const grp = groupCoco(gt, dt);
  const ks = categories ? Array.from(categories) : gt.categories.map((_, k) => k);
  return ks.map((k) => evaluateCocoCategory(gt, dt, grp, k, params));
}

export function finishCocoEval(gt: GroundTruth, parts: CocoCategoryResult[], params: CocoParams = defaultCocoParams()): CocoResult {
  const ev = mergeCocoCategories(params, gt.categories.length, parts);
  const per = cocoPerCategory(ev);
  return { stats: cocoStats(ev), perCategory: per.map((p, k) => ({ ...p, category: gt.categories[k] })), eval: ev };
}

export function cocoEval(gt: GroundTruth, dt: Detections, params: CocoParams = defaultCocoParams()): CocoResult {
  return finishCocoEval(gt, evaluateCocoCategories(gt, dt, undefined, params), params);
}

/**
 * Splits category indices into `parts` lists of similar work (detections + ground truth per category),
 * for worker threads. Greedy longest-first.
 */
export function partitionCategories(gt: GroundTruth, dt: Detections, parts: number): number[][] {
  const nCats = gt.categories.length;
  const work = new Float64Array(nCats);
  for (let i = 0; i < dt.count; i++) work[dt.category[i]]++;
  for (let i = 0; i < gt.count; i++) work[gt.category[i]]++;
  const order = [...work.keys()].sort((a, b) => work[b] - work[a]);
  const lists: number[][] = Array.from({ length: Math.max(1, parts) }, () => []);
  const load = new Float64Array(lists.length);
  for (const k of order) {
    let best = 0;
    for (let p = 1; p < lists.length; p++) if (load[p] < load[best]) best = p;
    lists[best].push(k);
    load[best] += work[k] + 1;
  }
  return lists.map((l) => l.sort((a, b) => a - b));
}
