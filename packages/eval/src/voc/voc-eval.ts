/**
 * The classic `voc_eval` (rbgirshick/py-faster-rcnn), per class: detections sorted by descending
 * score (stable); each takes the ground truth of its image with the highest IoU (first maximum), using
 * the +1 pixel convention (`w = xmax − xmin + 1`); IoU > 0.5 (strict) against a difficult ground truth
 * is neither TP nor FP, against a free one a TP, against an already matched one a FP; anything else a
 * FP. Recall over non-difficult ground truth; precision = tp / max(tp + fp, eps).
 * `continuous` lowers xmax and ymax by 1 first (both sides), which cancels the +1: plain float IoU.
 * Crowd ground truth counts as difficult. Classes with no non-difficult ground truth get NaN AP
 * and are left out of the mean, as voc_eval's 0/0 recall does.
 */
import type { Detections, EvalCategory, GroundTruth } from '../dataset/types.ts';
import { pairwiseSum } from '../numeric/numpy.ts';
import { argsortDescendingStable } from '../numeric/radix-sort.ts';
import { vocAp11, vocApAllPoint } from './voc-ap.ts';

export interface VocOptions {
  /** Plain float IoU instead of the +1 pixel convention. */
  continuous?: boolean;
  /** Match threshold (voc_eval `ovthresh`). */
  iouThreshold?: number;
}

export interface VocClassResult {
  category: EvalCategory;
  /** Non-difficult ground truth. */
  npos: number;
  nGt: number;
  nDets: number;
  ap11: number;
  apAll: number;
  /** The PR curve over detections in score order (for plots). */
  recall: Float64Array;
  precision: Float64Array;
}

export interface VocResult {
  perClass: VocClassResult[];
  /** Mean over classes with npos > 0. */
  map11: number;
  mapAll: number;
  nClassesInMean: number;
}

/** Per class: ground truth grouped by image, detections in descending-score order (stable). */
interface ClassIndex {
  gtByImage: Map<number, number[]>[];
  npos: Int32Array;
  nGt: Int32Array;
  dets: number[][];
}

function indexByClass(gt: GroundTruth, dt: Detections, wanted: Set<number>): ClassIndex {
  const K = gt.categories.length;
  const gtByImage: Map<number, number[]>[] = Array.from({ length: K }, () => new Map());
  const npos = new Int32Array(K), nGt = new Int32Array(K);
  for (let i = 0; i < gt.count; i++) {
    const k = gt.category[i];
    if (!wanted.has(k)) continue;
    nGt[k]++;
    if (!(gt.difficult[i] || gt.crowd[i])) npos[k]++;
    let list = gtByImage[k].get(gt.image[i]);
    if (!list) gtByImage[k].set(gt.image[i], (list = []));
    list.push(i);
  }
  const dets: number[][] = Array.from({ length: K }, () => []);
  const order = argsortDescendingStable(dt.score, dt.count);
  for (let q = 0; q < dt.count; q++) {
    const i = order[q];
    if (wanted.has(dt.category[i])) dets[dt.category[i]].push(i);
  }
  return { gtByImage, npos, nGt, dets };
}

/** One class (category index k). */
export function vocEvalClass(gt: GroundTruth, dt: Detections, k: number, options: VocOptions = {}): VocClassResult {
  return evalIndexedClass(gt, dt, k, indexByClass(gt, dt, new Set([k])), options);
}

function evalIndexedClass(gt: GroundTruth, dt: Detections, k: number, index: ClassIndex, options: VocOptions): VocClassResult {
  const ovthresh = options.iouThreshold ?? 0.5;
  const shrink = options.continuous ? 1 : 0;
  const gtByImage = index.gtByImage[k];
  const npos = index.npos[k], nGt = index.nGt[k];
  const dets = index.dets[k];
  const nd = dets.length;
  const taken = new Uint8Array(gt.count);
  const tpc = new Float64Array(nd), fpc = new Float64Array(nd);
  let tp = 0, fp = 0;
  for (let d = 0; d < nd; d++) {
    const di = dets[d];
    const b0 = dt.xyxy[di * 4], b1 = dt.xyxy[di * 4 + 1], b2 = dt.xyxy[di * 4 + 2] - shrink, b3 = dt.xyxy[di * 4 + 3] - shrink;
    const list = gtByImage.get(dt.image[di]);
    let ovmax = -Infinity, jmax = -1;
    if (list) {
      for (const g of list) {
        const g0 = gt.xyxy[g * 4], g1 = gt.xyxy[g * 4 + 1], g2 = gt.xyxy[g * 4 + 2] - shrink, g3 = gt.xyxy[g * 4 + 3] - shrink;
        const iw = Math.max(Math.min(g2, b2) - Math.max(g0, b0) + 1, 0);
        const ih = Math.max(Math.min(g3, b3) - Math.max(g1, b1) + 1, 0);
        const inters = iw * ih;
        const uni = (b2 - b0 + 1) * (b3 - b1 + 1) + (g2 - g0 + 1) * (g3 - g1 + 1) - inters;
        const ov = inters / uni;
        if (ov > ovmax) {
          ovmax = ov;
          jmax = g;
        }
      }
    }
    if (ovmax > ovthresh) {
      if (!(gt.difficult[jmax] || gt.crowd[jmax])) {
        if (!taken[jmax]) {
          tp++;
          taken[jmax] = 1;
        } else fp++;
      }
    } else fp++;
    tpc[d] = tp;
    fpc[d] = fp;
  }
  const recall = new Float64Array(nd), precision = new Float64Array(nd);
  for (let d = 0; d < nd; d++) {
    recall[d] = tpc[d] / npos;
    precision[d] = tpc[d] / Math.max(tpc[d] + fpc[d], Number.EPSILON);
  }
  const ap11 = npos > 0 ? vocAp11(recall, precision) : Number.NaN;
  const apAll = npos > 0 ? vocApAllPoint(recall, precision) : Number.NaN;
  return { category: gt.categories[k], npos, nGt, nDets: nd, ap11, apAll, recall, precision };
}

export function finishVocEval(perClass: VocClassResult[]): VocResult {
  const inMean = perClass.filter((c) => c.npos > 0);
  return {
    perClass,
    map11: inMean.length ? pairwiseSum(inMean.map((c) => c.ap11)) / inMean.length : Number.NaN,
    mapAll: inMean.length ? pairwiseSum(inMean.map((c) => c.apAll)) / inMean.length : Number.NaN,
    nClassesInMean: inMean.length,
  };
}

/** Every class (or the listed category indices). */
export function vocEvalClasses(gt: GroundTruth, dt: Detections, categories?: ArrayLike<number>, options: VocOptions = {}): VocClassResult[] {
  const ks = categories ? Array.from(categories) : gt.categories.map((_, k) => k);
  const index = indexByClass(gt, dt, new Set(ks));
  return ks.map((k) => evalIndexedClass(gt, dt, k, index, options));
}

export function vocEval(gt: GroundTruth, dt: Detections, options: VocOptions = {}): VocResult {
  return finishVocEval(vocEvalClasses(gt, dt, undefined, options));
}
