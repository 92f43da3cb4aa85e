/** The classic `voc_ap` (py-faster-rcnn): VOC2007 11-point and VOC2010+ all-point AP. */
import { pairwiseSum } from '../numeric/numpy.ts';

/**
 * `np.arange(0., 1.1, 0.1)`: i·0.1, so 0.30000000000000004, 0.6000000000000001 and 0.7000000000000001
 * — a recall of exactly 0.3/0.6/0.7 does not reach those thresholds. Kept on purpose: it is VOC07's AP.
 */
export const VOC07_THRESHOLDS: number[] = Array.from({ length: 11 }, (_, i) => i * 0.1);

export function vocAp11(rec: ArrayLike<number>, prec: ArrayLike<number>): number {
  let ap = 0;
  for (const t of VOC07_THRESHOLDS) {
    let p = 0;
    let any = false;
    for (let i = 0; i < rec.length; i++) {
      if (rec[i] >= t) {
        if (!any || prec[i] > p) p = prec[i];
        any = true;
      }
    }
    ap = ap + (any ? p : 0) / 11;
  }
  return ap;
}

export function vocApAllPoint(rec: ArrayLike<number>, prec: ArrayLike<number>): number {
  const n = rec.length;
  const mrec = new Float64Array(n + 2), mpre = new Float64Array(n + 2);
  mrec[n + 1] = 1;
  for (let i = 0; i < n; i++) {
    mrec[i + 1] = rec[i];
    mpre[i + 1] = prec[i];
  }
  for (let i = n + 1; i > 0; i--) mpre[i - 1] = Math.max(mpre[i - 1], mpre[i]);
  const terms: number[] = [];
  for (let i = 0; i < n + 1; i++) if (mrec[i + 1] !== mrec[i]) terms.push((mrec[i + 1] - mrec[i]) * mpre[i + 1]);
  return pairwiseSum(terms);
}
