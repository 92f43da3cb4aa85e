/**
 * Confusion matrix as in later Ultralytics YOLOv5 (`utils/metrics.py::ConfusionMatrix`): detections
 * above `conf` are matched to ground truth with IoU > `iouThres`, one-to-one by descending IoU;
 * rows = predicted class, columns = true class, index `nc` = background. A ground truth without a
 * match counts in the background row; an unmatched detection in the background column (always —
 * the 2020 code skipped this when an image had no match at all, which hides false positives).
 */
import { boxIouAt } from '../boxes/iou.ts';
import type { Detections, GroundTruth } from '../dataset/types.ts';

export interface ConfusionMatrix {
  nc: number;
  /** `[(nc + 1) · (nc + 1)]`, row-major, [predicted][true]. */
  matrix: Float64Array;
  labels: string[];
}

export function confusionMatrix(gt: GroundTruth, dt: Detections, options: { conf?: number; iouThres?: number } = {}): ConfusionMatrix {
  const conf = options.conf ?? 0.25;
  const iouThres = options.iouThres ?? 0.45;
  const nc = gt.categories.length;
  const size = nc + 1;
  const matrix = new Float64Array(size * size);
  const gtBy: number[][] = gt.images.map(() => []);
  const dtBy: number[][] = gt.images.map(() => []);
  for (let i = 0; i < gt.count; i++) if (!gt.crowd[i]) gtBy[gt.image[i]].push(i);
  for (let i = 0; i < dt.count; i++) if (dt.score[i] > conf) dtBy[dt.image[i]].push(i);
  for (let img = 0; img < gt.images.length; img++) {
    const gl = gtBy[img], dl = dtBy[img];
    const pairs: [number, number, number][] = [];
    for (let a = 0; a < gl.length; a++)
      for (let b = 0; b < dl.length; b++) {
        const iou = boxIouAt(gt.xyxy, gl[a], dt.xyxy, dl[b]);
        if (iou > iouThres) pairs.push([a, b, iou]);
      }
    pairs.sort((x, y) => y[2] - x[2]);
    const gtMatch = new Int32Array(gl.length).fill(-1);
    const dtMatched = new Uint8Array(dl.length);
    for (const [a, b] of pairs) {
      if (gtMatch[a] >= 0 || dtMatched[b]) continue;
      gtMatch[a] = b;
      dtMatched[b] = 1;
    }
    for (let a = 0; a < gl.length; a++) {
      const tc = gt.category[gl[a]];
      const row = gtMatch[a] >= 0 ? dt.category[dl[gtMatch[a]]] : nc;
      matrix[row * size + tc]++;
    }
    for (let b = 0; b < dl.length; b++) if (!dtMatched[b]) matrix[dt.category[dl[b]] * size + nc]++;
  }
  return { nc, matrix, labels: [...gt.categories.map((c) => c.name), 'background'] };
}
