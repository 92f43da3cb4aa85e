/**
 * Validation images for the dashboard: a few images of each evaluation with their ground-truth boxes
 * and the evaluated model's detections, in the original image's pixels. Collected from the batches and
 * NMS output the evaluation already computes (no extra forward pass), as plain data so an evaluation
 * pool can return them with its metrics. `val-images-file.ts` writes them into the run folder.
 */
import type { Batch } from '../data/types.ts';

export type Box = [x1: number, y1: number, x2: number, y2: number];

export interface ValImageBox {
  cls: number;
  box: Box;
}

export interface ValImagePrediction extends ValImageBox {
  score: number;
}

/** One validation image: boxes in pixels of the original image file (`path`, `width` × `height`). */
export interface ValImageSample {
  path: string;
  /** Position in the split's image list. */
  index: number;
  width: number;
  height: number;
  gt: ValImageBox[];
  pred: ValImagePrediction[];
}

/** How many images an evaluation keeps by default. */
export const VAL_IMAGES_DEFAULT = 6;
/** Detections below this score are not kept (upstream detect.py's default conf_thres). */
export const VAL_IMAGES_MIN_SCORE = 0.25;
/** At most this many detections per image (the rest would hide the picture anyway). */
const MAX_PREDICTIONS = 100;

/** Upstream `scale_coords`: input pixels → original pixels (un-pad, un-scale, clip). */
function toOriginal(x1: number, y1: number, x2: number, y2: number, meta: Batch['meta'][number]): Box {
  const [rx, ry] = meta.ratio;
  const [px, py] = meta.pad;
  const cx = (v: number) => Math.min(Math.max((v - px) / rx, 0), meta.originalWidth);
  const cy = (v: number) => Math.min(Math.max((v - py) / ry, 0), meta.originalHeight);
  return [cx(x1), cy(y1), cx(x2), cy(y2)];
}

/**
 * The first `room` images of an evaluated batch with their targets and detections.
 * @param dets per image, NMS rows `[x1, y1, x2, y2, conf, cls]` in input pixels (or null: none).
 */
export function collectValImages(batch: Batch, dets: ReadonlyArray<Float32Array | null>, room: number, minScore = VAL_IMAGES_MIN_SCORE): ValImageSample[] {
  const [b, h, w] = batch.shape;
  const out: ValImageSample[] = [];
  for (let i = 0; i < b && out.length < room; i++) {
    const meta = batch.meta[i];
    // A mosaic sample has no single mapping back to a file (evaluation never makes one).
    if (!meta || meta.mosaic || !(meta.ratio[0] > 0 && meta.ratio[1] > 0)) continue;
    const gt: ValImageBox[] = [];
    for (let t = 0; t < batch.nTargets; t++) {
      const r = batch.targets.subarray(t * 6, t * 6 + 6);
      if (r[0] !== i) continue;
      const [cx, cy, bw, bh] = [r[2] * w, r[3] * h, r[4] * w, r[5] * h];
      gt.push({ cls: r[1], box: toOriginal(cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2, meta) });
    }
    const pred: ValImagePrediction[] = [];
    const d = dets[i];
    // Sorted here whatever order the NMS mode keeps, so the cap below drops the weakest.
    for (let k = 0; d && k < d.length / 6; k++) {
      const row = d.subarray(k * 6, k * 6 + 6);
      if (row[4] >= minScore) pred.push({ cls: row[5], score: row[4], box: toOriginal(row[0], row[1], row[2], row[3], meta) });
    }
    pred.sort((a, c) => c.score - a.score);
    out.push({
      path: batch.paths[i],
      index: batch.indices[i],
      width: meta.originalWidth,
      height: meta.originalHeight,
      gt,
      pred: pred.slice(0, MAX_PREDICTIONS),
    });
  }
  return out;
}

/** Whether an evaluator's result carries validation images (an injected evaluator may not). */
export function valImagesOf(result: object): ValImageSample[] | undefined {
  const v = (result as { valImages?: unknown }).valImages;
  return Array.isArray(v) ? (v as ValImageSample[]) : undefined;
}
