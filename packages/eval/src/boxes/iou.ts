/**
 * IoU and its generalisations for two boxes, as upstream `utils.bbox_iou` computes them (same `1e-16`
 * guards, CIoU's alpha from the same terms). These are scalar, allocation-free helpers for metrics and
 * tests; the training loss has its own tensor version.
 */
import type { BoxFormat } from './convert.ts';

export type IouKind = 'iou' | 'giou' | 'diou' | 'ciou';

/** IoU-family similarity of boxes `a` and `b` (both in `format`, default xyxy). */
export function bboxIou(a: ArrayLike<number>, b: ArrayLike<number>, kind: IouKind = 'iou', format: BoxFormat = 'xyxy'): number {
  let ax1: number, ay1: number, ax2: number, ay2: number, bx1: number, by1: number, bx2: number, by2: number;
  if (format === 'xyxy') {
    [ax1, ay1, ax2, ay2] = [a[0], a[1], a[2], a[3]];
    [bx1, by1, bx2, by2] = [b[0], b[1], b[2], b[3]];
  } else if (format === 'xywh') {
    [ax1, ay1, ax2, ay2] = [a[0], a[1], a[0] + a[2], a[1] + a[3]];
    [bx1, by1, bx2, by2] = [b[0], b[1], b[0] + b[2], b[1] + b[3]];
  } else {
    [ax1, ay1, ax2, ay2] = [a[0] - a[2] / 2, a[1] - a[3] / 2, a[0] + a[2] / 2, a[1] + a[3] / 2];
    [bx1, by1, bx2, by2] = [b[0] - b[2] / 2, b[1] - b[3] / 2, b[0] + b[2] / 2, b[1] + b[3] / 2];
  }
  const inter =
    Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0) * Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0);
  const w1 = ax2 - ax1, h1 = ay2 - ay1, w2 = bx2 - bx1, h2 = by2 - by1;
  const union = w1 * h1 + 1e-16 + w2 * h2 - inter;
  const iou = inter / union;
  if (kind === 'iou') return iou;
  const cw = Math.max(ax2, bx2) - Math.min(ax1, bx1);
  const ch = Math.max(ay2, by2) - Math.min(ay1, by1);
  if (kind === 'giou') {
    const cArea = cw * ch + 1e-16;
    return iou - (cArea - union) / cArea;
  }
  const c2 = cw ** 2 + ch ** 2 + 1e-16;
  const rho2 = (bx1 + bx2 - (ax1 + ax2)) ** 2 / 4 + (by1 + by2 - (ay1 + ay2)) ** 2 / 4;
  if (kind === 'diou') return iou - rho2 / c2;
  const v = (4 / Math.PI ** 2) * (Math.atan(w2 / h2) - Math.atan(w1 / h1)) ** 2;
  const alpha = v / (1 - iou + v);
  return iou - (rho2 / c2 + v * alpha);
}

/**
 * Plain IoU of xyxy boxes with the `box_iou` formula (`inter / (area1 + area2 − inter)`, no epsilon),
 * which test.py and merge-NMS use. Reads box i at `a[ai·4]`, box j at `b[bj·4]` without allocating.
 */
export function boxIouAt(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bj: number): number {
  const p = ai * 4, q = bj * 4;
  const iw = Math.min(a[p + 2], b[q + 2]) - Math.max(a[p], b[q]);
  const ih = Math.min(a[p + 3], b[q + 3]) - Math.max(a[p + 1], b[q + 1]);
  const inter = Math.max(iw, 0) * Math.max(ih, 0);
  const area1 = (a[p + 2] - a[p]) * (a[p + 3] - a[p + 1]);
  const area2 = (b[q + 2] - b[q]) * (b[q + 3] - b[q + 1]);
  return inter / (area1 + area2 - inter);
}

/** `box_iou` matrix [n, m] of xyxy boxes (flat, 4 per box). */
export function boxIouMatrix(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const n = a.length / 4, m = b.length / 4;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = boxIouAt(a, i, b, j);
  return out;
}
