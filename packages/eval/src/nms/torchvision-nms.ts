/**
 * torchvision's `ops.nms` (CPU kernel): greedy by descending score, suppress when IoU > threshold,
 * with its float32 arithmetic (areas, intersections, the ratio) so borderline pairs go the same way.
 * Ties in score keep index order (torch's sort is not guaranteed stable; upstream data has no ties).
 */
import { argsortDescending } from '../numeric/numpy.ts';

/** `boxes` xyxy flat (4 per box), float32 values. Returns kept indices in descending-score order. */
export function nmsIndices(boxes: ArrayLike<number>, scores: ArrayLike<number>, iouThreshold: number, n = scores.length): Int32Array {
  const f = Math.fround;
  const order = argsortDescending(scores, n);
  const areas = new Float64Array(n);
  for (let i = 0; i < n; i++) areas[i] = f(f(boxes[i * 4 + 2] - boxes[i * 4]) * f(boxes[i * 4 + 3] - boxes[i * 4 + 1]));
  const suppressed = new Uint8Array(n);
  const keep = new Int32Array(n);
  let nKeep = 0;
  for (let oi = 0; oi < n; oi++) {
    const i = order[oi];
    if (suppressed[i]) continue;
    keep[nKeep++] = i;
    const ix1 = boxes[i * 4], iy1 = boxes[i * 4 + 1], ix2 = boxes[i * 4 + 2], iy2 = boxes[i * 4 + 3];
    const iarea = areas[i];
    for (let oj = oi + 1; oj < n; oj++) {
      const j = order[oj];
      if (suppressed[j]) continue;
      const w = Math.max(0, f(Math.min(ix2, boxes[j * 4 + 2]) - Math.max(ix1, boxes[j * 4])));
      const h = Math.max(0, f(Math.min(iy2, boxes[j * 4 + 3]) - Math.max(iy1, boxes[j * 4 + 1])));
      const inter = f(w * h);
      const ovr = f(inter / f(f(iarea + areas[j]) - inter));
      if (ovr > iouThreshold) suppressed[j] = 1;
    }
  }
  return keep.slice(0, nKeep);
}
