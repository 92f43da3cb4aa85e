/**
 * test.py's per-image matching, rule for rule: predictions are clipped to the image, then for each
 * target class (ascending) the predictions of that class, in their given order, take their best-IoU
 * target (first maximum); a prediction whose best IoU > 0.5 claims that target if still free and is
 * correct at every threshold of 0.50:0.05:0.95 with IoU > t (strict); if the target is taken it is a
 * false positive (no fall-back to the second best). Once all targets are found the class loop stops.
 */
import { boxIouAt } from '../boxes/iou.ts';
import { linspace } from '../numeric/numpy.ts';

/** `torch.linspace(0.5, 0.95, 10)` in float32, the thresholds test.py compares float32 IoUs with. */
export const TEST_PY_IOU_THRESHOLDS: Float64Array = Float64Array.from(linspace(0.5, 0.95, 10), (v) => Math.fround(v));
export const N_IOU = 10;

export interface ImageMatch {
  /** `[nPred, 10]` 0/1: correct at each IoU threshold. */
  correct: Uint8Array;
}

/**
 * @param pred    `[n, 6]` rows x1, y1, x2, y2, conf, cls (modified: clipped in place, as test.py does)
 * @param targets `[m, 5]` rows cls, x1, y1, x2, y2 in pixels
 */
export function matchImage(pred: Float32Array | Float64Array, targets: ArrayLike<number>, width: number, height: number): ImageMatch {
  const n = pred.length / 6;
  const m = targets.length / 5;
  const correct = new Uint8Array(n * N_IOU);
  for (let i = 0; i < n; i++) {
    const o = i * 6;
    pred[o] = Math.min(Math.max(pred[o], 0), width);
    pred[o + 1] = Math.min(Math.max(pred[o + 1], 0), height);
    pred[o + 2] = Math.min(Math.max(pred[o + 2], 0), width);
    pred[o + 3] = Math.min(Math.max(pred[o + 3], 0), height);
  }
  if (m === 0 || n === 0) return { correct };

  const predBoxes = new Float64Array(n * 4);
  for (let i = 0; i < n; i++) for (let k = 0; k < 4; k++) predBoxes[i * 4 + k] = pred[i * 6 + k];
  const tBoxes = new Float64Array(m * 4);
  for (let j = 0; j < m; j++) for (let k = 0; k < 4; k++) tBoxes[j * 4 + k] = targets[j * 5 + 1 + k];

  const classes = [...new Set(Array.from({ length: m }, (_, j) => targets[j * 5]))].sort((a, b) => a - b);
  const detected = new Uint8Array(m);
  let nDetected = 0;
  for (const cls of classes) {
    const ti: number[] = [];
    for (let j = 0; j < m; j++) if (targets[j * 5] === cls) ti.push(j);
    for (let i = 0; i < n; i++) {
      if (pred[i * 6 + 5] !== cls) continue;
      let best = -Infinity, bestJ = -1;
      for (const j of ti) {
        const iou = boxIouAt(predBoxes, i, tBoxes, j);
        if (iou > best) {
          best = iou;
          bestJ = j;
        }
      }
      if (!(best > TEST_PY_IOU_THRESHOLDS[0])) continue;
      if (detected[bestJ]) continue;
      detected[bestJ] = 1;
      nDetected++;
      for (let t = 0; t < N_IOU; t++) correct[i * N_IOU + t] = best > TEST_PY_IOU_THRESHOLDS[t] ? 1 : 0;
      if (nDetected === m) break;
    }
  }
  return { correct };
}
