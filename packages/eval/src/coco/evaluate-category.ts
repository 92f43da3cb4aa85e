/**
 * pycocotools `evaluateImg` + `accumulate` for ONE category, on typed arrays. Categories are
 * independent in COCOeval, which is what lets workers split the work by category.
 *
 * evaluateImg (per image, area range, IoU threshold): ground truth sorted with ignored last (stable);
 * detections by descending score, top `maxDets[-1]`; each detection takes the best-IoU ground truth
 * still free (crowd never becomes taken) with IoU >= t (ties: the later one), and stops at the first
 * ignored ground truth once it holds a real match. A match to an ignored ground truth (crowd or area
 * outside the range) is ignored; an unmatched detection whose w·h is outside the range is ignored.
 * Quirk kept: a match to a ground truth whose annotation id is 0 counts as no match (`dtm == 0`).
 *
 * accumulate (per area range and maxDet): the top-`maxDet` detections of the category on each image,
 * concatenated in image order and stably sorted by descending score; precision = tp/(tp+fp+eps),
 * made non-increasing from the right, sampled at the recall thresholds with searchsorted(side=left)
 * (0 beyond the last recall); recall = final recall (0 without detections). -1 where the category has
 * no non-ignored ground truth in that area range.
 */
import type { Detections, GroundTruth } from '../dataset/types.ts';
import { SPACING_1 } from '../numeric/numpy.ts';
import { argsortDescendingStable } from '../numeric/radix-sort.ts';
import type { CocoGrouping } from './grouping.ts';
import type { CocoParams } from './params.ts';

export interface CocoCategoryResult {
  /** Category index. */
  k: number;
  /** `[T, R, A, M]` */
  precision: Float64Array;
  /** `[T, A, M]` */
  recall: Float64Array;
}

const TP = 1;
const FP = 2;

export function evaluateCocoCategory(gt: GroundTruth, dt: Detections, grp: CocoGrouping, k: number, params: CocoParams): CocoCategoryResult {
  const T = params.iouThrs.length, R = params.recThrs.length, A = params.areaRng.length, M = params.maxDets.length;
  const maxDetLast = params.maxDets[M - 1];
  const nImg = grp.nImages;
  const base = k * nImg;

  let L = 0;
  for (let i = 0; i < nImg; i++) L += Math.min(grp.dtStart[base + i + 1] - grp.dtStart[base + i], maxDetLast);
  const score = new Float64Array(L);
  const rankInImage = new Int32Array(L);
  const codes = new Uint8Array(A * T * L);
  const npig = new Int32Array(A);

  const thr = Float64Array.from(params.iouThrs, (t) => Math.min(t, 1 - 1e-10));
  let ious = new Float64Array(1024);
  let gtIg = new Uint8Array(64), gOrd = new Int32Array(64), gtm = new Uint8Array(64);

  let pos = 0;
  for (let i = 0; i < nImg; i++) {
    const gs = grp.gtStart[base + i], G = grp.gtStart[base + i + 1] - gs;
    const ds = grp.dtStart[base + i], D = Math.min(grp.dtStart[base + i + 1] - ds, maxDetLast);
    if (G === 0 && D === 0) continue;
    if (G > gtIg.length) {
      gtIg = new Uint8Array(G * 2);
      gOrd = new Int32Array(G * 2);
      gtm = new Uint8Array(G * 2);
    }
    if (D * G > ious.length) ious = new Float64Array(D * G * 2);
    for (let d = 0; d < D; d++) {
      const di = grp.dtIdx[ds + d];
      score[pos + d] = dt.score[di];
      rankInImage[pos + d] = d;
      const dx = dt.xywh[di * 4], dy = dt.xywh[di * 4 + 1], dw = dt.xywh[di * 4 + 2], dh = dt.xywh[di * 4 + 3];
      const da = dw * dh;
      for (let g = 0; g < G; g++) {
        // maskApi.c bbIou, term for term
        const gi = grp.gtIdx[gs + g];
        const gx = gt.xywh[gi * 4], gy = gt.xywh[gi * 4 + 1], gw = gt.xywh[gi * 4 + 2], gh = gt.xywh[gi * 4 + 3];
        let o = 0;
        const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
        if (w > 0) {
          const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
          if (h > 0) {
            const inter = w * h;
            o = inter / (gt.crowd[gi] ? da : da + gw * gh - inter);
          }
        }
        ious[d * G + g] = o;
      }
    }
    for (let a = 0; a < A; a++) {
      const [lo, hi] = params.areaRng[a];
      let nOk = 0;
      for (let g = 0; g < G; g++) {
        const gi = grp.gtIdx[gs + g];
        const ar = gt.area[gi];
        gtIg[g] = gt.crowd[gi] || ar < lo || ar > hi ? 1 : 0;
        if (!gtIg[g]) nOk++;
      }
      npig[a] += nOk;
      if (D === 0) continue;
      if (G === 0) {
        // nothing to match: every detection is a FP unless its area is outside the range
        for (let d = 0; d < D; d++) {
          const di = grp.dtIdx[ds + d];
          const da = dt.xywh[di * 4 + 2] * dt.xywh[di * 4 + 3];
          const code = da < lo || da > hi ? 0 : FP;
          for (let t = 0; t < T; t++) codes[(a * T + t) * L + pos + d] = code;
        }
        continue;
      }
      // ignored ground truth last, stable
      let w0 = 0, w1 = nOk;
      for (let g = 0; g < G; g++) gOrd[gtIg[g] ? w1++ : w0++] = g;
      for (let t = 0; t < T; t++) {
        gtm.fill(0, 0, G);
        const out = (a * T + t) * L + pos;
        for (let d = 0; d < D; d++) {
          let best = thr[t];
          let m = -1;
          for (let q = 0; q < G; q++) {
            const g = gOrd[q];
            if (gtm[g] && !gt.crowd[grp.gtIdx[gs + g]]) continue;
            if (m > -1 && gtIg[m] === 0 && gtIg[g] === 1) break;
            const v = ious[d * G + g];
            if (v < best) continue;
            best = v;
            m = g;
          }
          let code: number;
          if (m === -1) {
            code = FP;
          } else {
            gtm[m] = 1;
            if (gtIg[m]) {
              codes[out + d] = 0;
              continue;
            }
            code = gt.annId[grp.gtIdx[gs + m]] !== 0 ? TP : FP;
          }
          if (code === FP) {
            const di = grp.dtIdx[ds + d];
            const da = dt.xywh[di * 4 + 2] * dt.xywh[di * 4 + 3];
            if (da < lo || da > hi) code = 0;
          }
          codes[out + d] = code;
        }
      }
    }
    pos += D;
  }

  // accumulate. Only true positives move recall up and only they can raise precision, so the
  // envelope and the searchsorted samples need precision at TP positions only (bit-identical to the
  // full curve: a non-TP position never holds a larger value than the last TP before it).
  const precision = new Float64Array(T * R * A * M).fill(-1);
  const recall = new Float64Array(T * A * M).fill(-1);
  const order = argsortDescendingStable(score, L);
  let maxRank = -1;
  const rankSorted = new Int32Array(L);
  for (let s = 0; s < L; s++) {
    rankSorted[s] = rankInImage[order[s]];
    if (rankSorted[s] > maxRank) maxRank = rankSorted[s];
  }
  const prTp = new Float64Array(L + 1);
  const recThrs = params.recThrs;
  const q = new Float64Array(R);
  for (let a = 0; a < A; a++) {
    if (npig[a] === 0) continue;
    const np = npig[a];
    for (let mi = M - 1; mi >= 0; mi--) {
      const maxDet = params.maxDets[mi];
      // every detection already included: same numbers as the next larger maxDet
      if (mi < M - 1 && maxDet > maxRank && params.maxDets[mi + 1] > maxRank) {
        for (let t = 0; t < T; t++) {
          recall[(t * A + a) * M + mi] = recall[(t * A + a) * M + mi + 1];
          for (let r = 0; r < R; r++) precision[((t * R + r) * A + a) * M + mi] = precision[((t * R + r) * A + a) * M + mi + 1];
        }
        continue;
      }
      for (let t = 0; t < T; t++) {
        const cbase = (a * T + t) * L;
        let tp = 0, fp = 0, nd = 0;
        for (let s = 0; s < L; s++) {
          if (rankSorted[s] >= maxDet) continue;
          const c = codes[cbase + order[s]];
          nd++;
          if (c === TP) {
            tp++;
            prTp[tp] = tp / (fp + tp + SPACING_1);
          } else if (c === FP) fp++;
        }
        recall[(t * A + a) * M + mi] = nd ? tp / np : 0;
        // suffix maximum over TP positions
        for (let j = tp - 1; j >= 1; j--) if (prTp[j + 1] > prTp[j]) prTp[j] = prTp[j + 1];
        // first position with rc >= thr is the k-th TP for the smallest k with k/npig >= thr
        // (position 0 for thr <= rc[0]); its enveloped precision is prTp[k] (0 when k > tp)
        q.fill(0);
        let k = 1;
        for (let r = 0; r < R; r++) {
          const thr = recThrs[r];
          if (nd === 0) break;
          if (thr <= 0) {
            // position 0: max(pr[0], later TPs); pr[0] is prTp[1] when the first is a TP, else 0
            q[r] = tp > 0 ? prTp[1] : 0;
            continue;
          }
          while (k <= tp && k / np < thr) k++;
          if (k > tp) break;
          q[r] = prTp[k];
        }
        for (let r = 0; r < R; r++) precision[((t * R + r) * A + a) * M + mi] = q[r];
      }
    }
  }
  return { k, precision, recall };
}
