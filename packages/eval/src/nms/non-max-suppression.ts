/**
 * Upstream `utils/utils.py::non_max_suppression` for one image, rule for rule:
 * - rows with objectness > conf_thres; conf = obj·cls (float32);
 * - `fast |= conf_thres > 0.001`; not fast ⇒ merge-NMS; multi-label whenever nc > 1 (this fork's
 *   version: `fast` only switches merge off);
 * - multi-label: one candidate per (row, class) with conf > conf_thres, row-major; else the best class;
 * - optional class filter; batched NMS via a class offset of 4096 px (0 when agnostic);
 * - at most `maxDet` (300) kept; merge when 1 < n < 3000: kept box = IoU(>thr)·score-weighted mean of
 *   all candidates, and (redundant) only kept boxes with another candidate above thr survive.
 * Returns rows `[x1, y1, x2, y2, conf, cls]` in keep order, or `null` where upstream returns `None`.
 */
import { cxcywhToXyxyF32 } from '../boxes/convert.ts';
import { nmsIndices } from './torchvision-nms.ts';

export interface NmsOptions {
  confThres?: number;
  iouThres?: number;
  /** train.py's warm-up mode: no merge-NMS. Forced on when confThres > 0.001, as upstream. */
  fast?: boolean;
  /** Keep only these classes. */
  classes?: number[];
  /** One NMS over all classes instead of per class. */
  agnostic?: boolean;
  maxDet?: number;
  /** Override the mode upstream derives from `fast` (for experiments; undefined = upstream's rule). */
  merge?: boolean;
  multiLabel?: boolean;
  /** Drop merged boxes with no redundant candidate (upstream: true). */
  redundant?: boolean;
}

/** Largest box side upstream expects; the class offset that keeps classes apart in batched NMS. */
const MAX_WH = 4096;

/**
 * @param pred one image's decoded rows, flat `[rows, no]`: cx, cy, w, h (pixels), obj, nc class probs.
 * @param no   values per row (nc + 5).
 */
export function nonMaxSuppression(pred: ArrayLike<number>, no: number, options: NmsOptions = {}): Float32Array | null {
  const f = Math.fround;
  const confThres = options.confThres ?? 0.1;
  const iouThres = options.iouThres ?? 0.6;
  const maxDet = options.maxDet ?? 300;
  const nc = no - 5;
  const fast = (options.fast ?? false) || confThres > 0.001;
  const merge = options.merge ?? !fast;
  const multiLabel = options.multiLabel ?? nc > 1;
  const redundant = options.redundant ?? true;
  const classFilter = options.classes && options.classes.length > 0 ? new Set(options.classes) : null;
  const rows = Math.floor(pred.length / no);

  // Candidates (box, conf, cls) in upstream's enumeration order.
  const cand: number[] = [];
  for (let r = 0; r < rows; r++) {
    const o = r * no;
    const obj = pred[o + 4];
    if (!(obj > confThres)) continue;
    const box = cxcywhToXyxyF32(pred[o], pred[o + 1], pred[o + 2], pred[o + 3]);
    if (multiLabel) {
      for (let c = 0; c < nc; c++) {
        const conf = f(pred[o + 5 + c] * obj);
        if (conf > confThres) cand.push(box[0], box[1], box[2], box[3], conf, c);
      }
    } else {
      let best = -Infinity, bestC = 0;
      for (let c = 0; c < nc; c++) {
        const conf = f(pred[o + 5 + c] * obj);
        if (conf > best) {
          best = conf;
          bestC = c;
        }
      }
      if (best > confThres) cand.push(box[0], box[1], box[2], box[3], best, bestC);
    }
  }
  let x = Float32Array.from(cand);
  if (classFilter) {
    const kept: number[] = [];
    for (let i = 0; i < x.length; i += 6) if (classFilter.has(x[i + 5])) for (let k = 0; k < 6; k++) kept.push(x[i + k]);
    x = Float32Array.from(kept);
  }
  const n = x.length / 6;
  if (n === 0) return null;

  const offsetBoxes = new Float32Array(n * 4);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const off = options.agnostic ? 0 : x[i * 6 + 5] * MAX_WH;
    for (let k = 0; k < 4; k++) offsetBoxes[i * 4 + k] = x[i * 6 + k] + off;
    scores[i] = x[i * 6 + 4];
  }
  let keep = nmsIndices(offsetBoxes, scores, iouThres);
  if (keep.length > maxDet) keep = keep.slice(0, maxDet);

  if (merge && n > 1 && n < 3000) {
    const survivors: number[] = [];
    const merged = new Float32Array(keep.length * 4);
    for (let ki = 0; ki < keep.length; ki++) {
      const i = keep[ki];
      let wsum = 0, sx1 = 0, sy1 = 0, sx2 = 0, sy2 = 0, count = 0;
      for (let j = 0; j < n; j++) {
        if (!(boxIouF32(offsetBoxes, i, j) > iouThres)) continue;
        count++;
        const w = scores[j];
        wsum += w;
        sx1 += w * x[j * 6];
        sy1 += w * x[j * 6 + 1];
        sx2 += w * x[j * 6 + 2];
        sy2 += w * x[j * 6 + 3];
      }
      // torch.mm(weights, boxes) / weights.sum(): float32 results of float32 sums.
      const ws = f(wsum);
      merged[ki * 4] = f(f(sx1) / ws);
      merged[ki * 4 + 1] = f(f(sy1) / ws);
      merged[ki * 4 + 2] = f(f(sx2) / ws);
      merged[ki * 4 + 3] = f(f(sy2) / ws);
      if (!redundant || count > 1) survivors.push(ki);
    }
    for (let ki = 0; ki < keep.length; ki++) for (let k = 0; k < 4; k++) x[keep[ki] * 6 + k] = merged[ki * 4 + k];
    keep = Int32Array.from(survivors, (ki) => keep[ki]);
  }

  const out = new Float32Array(keep.length * 6);
  for (let k = 0; k < keep.length; k++) out.set(x.subarray(keep[k] * 6, keep[k] * 6 + 6), k * 6);
  return out;
}

/** Upstream `box_iou` on float32 boxes (no epsilon), each step rounded to float32. */
function boxIouF32(b: Float32Array, i: number, j: number): number {
  const f = Math.fround;
  const p = i * 4, q = j * 4;
  const area1 = f(f(b[p + 2] - b[p]) * f(b[p + 3] - b[p + 1]));
  const area2 = f(f(b[q + 2] - b[q]) * f(b[q + 3] - b[q + 1]));
  const iw = Math.max(f(Math.min(b[p + 2], b[q + 2]) - Math.max(b[p], b[q])), 0);
  const ih = Math.max(f(Math.min(b[p + 3], b[q + 3]) - Math.max(b[p + 1], b[q + 1])), 0);
  const inter = f(iw * ih);
  return f(inter / f(f(area1 + area2) - inter));
}

/** `non_max_suppression` over a batch `[bs, rows, no]` (flat): one result per image. */
export function nonMaxSuppressionBatch(pred: Float32Array, bs: number, rows: number, no: number, options: NmsOptions = {}): (Float32Array | null)[] {
  const out: (Float32Array | null)[] = [];
  for (let b = 0; b < bs; b++) out.push(nonMaxSuppression(pred.subarray(b * rows * no, (b + 1) * rows * no), no, options));
  return out;
}
