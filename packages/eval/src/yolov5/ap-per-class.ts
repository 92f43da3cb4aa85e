/**
 * Upstream `utils.ap_per_class` + `compute_ap`: per class with ground truth, the precision/recall
 * curves over detections sorted by descending confidence; P and R read at confidence 0.1 by linear
 * interpolation (IoU 0.5 column); AP by the 101-point interpolation integrated with the trapezoid
 * rule. Classes without predictions keep P = R = AP = 0 and still count.
 */
import { argsortDescending, interp, linspace, trapz } from '../numeric/numpy.ts';

export interface ApPerClassResult {
  /** Classes with ground truth, ascending (`np.unique(target_cls)`). */
  classes: Int32Array;
  /** `[nClasses]` precision and recall at confidence 0.1, IoU 0.5. */
  p: Float64Array;
  r: Float64Array;
  /** `[nClasses, nIou]` AP. */
  ap: Float64Array;
  f1: Float64Array;
  nIou: number;
  /** Ground-truth count per listed class. */
  nGt: Int32Array;
}

const PR_SCORE = 0.1;
const AP_X = linspace(0, 1, 101);

/** `compute_ap(recall, precision)` for one curve. */
export function computeApTestPy(recall: ArrayLike<number>, precision: ArrayLike<number>): number {
  const n = recall.length;
  const mrec = new Float64Array(n + 2);
  const mpre = new Float64Array(n + 2);
  for (let i = 0; i < n; i++) {
    mrec[i + 1] = recall[i];
    mpre[i + 1] = precision[i];
  }
  mrec[n + 1] = Math.min(recall[n - 1] + 1e-3, 1.0);
  for (let i = n; i >= 0; i--) mpre[i] = Math.max(mpre[i], mpre[i + 1]);
  const y = new Float64Array(AP_X.length);
  for (let i = 0; i < AP_X.length; i++) y[i] = interp(AP_X[i], mrec, mpre);
  return trapz(y, AP_X);
}

/**
 * @param tp        `[n, nIou]` 0/1 correct flags
 * @param conf      `[n]`
 * @param predCls   `[n]`
 * @param targetCls `[nTargets]`
 */
export function apPerClass(tp: ArrayLike<number>, conf: ArrayLike<number>, predCls: ArrayLike<number>, targetCls: ArrayLike<number>, nIou = 10): ApPerClassResult {
  const n = conf.length;
  const order = argsortDescending(conf, n);
  const gtCount = new Map<number, number>();
  for (let i = 0; i < targetCls.length; i++) gtCount.set(targetCls[i], (gtCount.get(targetCls[i]) ?? 0) + 1);
  const classes = Int32Array.from([...gtCount.keys()].sort((a, b) => a - b));
  const nc = classes.length;
  const p = new Float64Array(nc), r = new Float64Array(nc), ap = new Float64Array(nc * nIou);
  const nGt = Int32Array.from(classes, (c) => gtCount.get(c) ?? 0);

  // Detections of each class in sorted order, found with one pass.
  const byClass = new Map<number, number[]>();
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const c = predCls[i];
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(i);
  }
  for (let ci = 0; ci < nc; ci++) {
    const idx = byClass.get(classes[ci]);
    const gt = nGt[ci];
    if (!idx || idx.length === 0 || gt === 0) continue;
    const np = idx.length;
    const negConf = Float64Array.from(idx, (i) => -conf[i]);
    const recall = new Float64Array(np), precision = new Float64Array(np);
    for (let j = 0; j < nIou; j++) {
      let tpc = 0, fpc = 0;
      for (let k = 0; k < np; k++) {
        if (tp[idx[k] * nIou + j]) tpc++;
        else fpc++;
        recall[k] = tpc / (gt + 1e-16);
        precision[k] = tpc / (tpc + fpc);
      }
      if (j === 0) {
        r[ci] = interp(-PR_SCORE, negConf, recall);
        p[ci] = interp(-PR_SCORE, negConf, precision);
      }
      ap[ci * nIou + j] = computeApTestPy(recall, precision);
    }
  }
  const f1 = Float64Array.from(p, (pi, i) => (2 * pi * r[i]) / (pi + r[i] + 1e-16));
  return { classes, p, r, ap, f1, nIou, nGt };
}
