/**
 * Ultralytics YOLO labels: one `class cx cy w h` line per box, normalised to the image size. Pixel
 * box: `x = (cx − w/2)·W`, `y = (cy − h/2)·H`, `w·W`, `h·H`. Pure; `../node.ts` walks the folders
 * and reads image sizes from the image headers.
 */
import { buildGroundTruth, type GtBox } from '../dataset/builder.ts';
import type { EvalCategory, EvalImage, GroundTruth } from '../dataset/types.ts';
import { EvalInputError } from '../errors.ts';

/** Rows `(cls, cx, cy, w, h)`, flat. */
export function parseYoloLabels(text: string, source: string): Float64Array {
  const out: number[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const t = line.trim();
    if (!t) return;
    const parts = t.split(/\s+/);
    const where = `line ${i + 1}`;
    if (parts.length !== 5)
      throw new EvalInputError(
        source,
        where,
        `expected 5 values "class cx cy w h", got ${parts.length}: "${t}"`,
      );
    const v = parts.map(Number);
    if (v.some((x) => !Number.isFinite(x))) throw new EvalInputError(source, where, `not a number in "${t}"`);
    if (!Number.isInteger(v[0]) || v[0] < 0)
      throw new EvalInputError(source, where, `class must be a non-negative integer, got ${parts[0]}`);
    if (v.slice(1).some((x) => x < 0 || x > 1))
      throw new EvalInputError(source, where, `coordinates must be normalised to [0, 1]: "${t}"`);
    out.push(...v);
  });
  return Float64Array.from(out);
}

export interface YoloImageLabels {
  id: number | string;
  fileName?: string;
  width: number;
  height: number;
  /** From `parseYoloLabels`. */
  labels: Float64Array;
  /** For error messages. */
  labelSource?: string;
}

/**
 * @param names       class names (index = class); unnamed classes become their index
 * @param categoryIds category id per class index (default: the index; `COCO80_TO_COCO91` for COCO ids)
 */
export function yoloGroundTruth(
  source: string,
  images: YoloImageLabels[],
  names: string[],
  categoryIds?: number[],
): GroundTruth {
  let nc = names.length;
  for (const im of images) for (let i = 0; i < im.labels.length; i += 5) nc = Math.max(nc, im.labels[i] + 1);
  if (categoryIds && nc > categoryIds.length)
    throw new EvalInputError(
      source,
      undefined,
      `class ${nc - 1} has no category id (only ${categoryIds.length} given)`,
    );
  const categories: EvalCategory[] = Array.from({ length: nc }, (_, k) => ({
    id: categoryIds ? categoryIds[k] : k,
    name: names[k] ?? String(k),
  }));
  const evalImages: EvalImage[] = [];
  const boxes: GtBox[] = [];
  images.forEach((im, img) => {
    evalImages.push({ id: im.id, fileName: im.fileName, width: im.width, height: im.height });
    if (im.labels.length && !(im.width > 0 && im.height > 0))
      throw new EvalInputError(
        im.labelSource ?? source,
        undefined,
        'image size unknown: cannot scale normalised labels',
      );
    for (let i = 0; i < im.labels.length; i += 5) {
      const [c, cx, cy, w, h] = im.labels.subarray(i, i + 5);
      const x = (cx - w / 2) * im.width,
        y = (cy - h / 2) * im.height,
        pw = w * im.width,
        ph = h * im.height;
      boxes.push({
        image: img,
        category: c,
        xywh: [x, y, pw, ph],
        xyxy: [x, y, x + pw, y + ph],
        area: pw * ph,
        crowd: false,
        difficult: false,
        annId: boxes.length + 1,
      });
    }
  });
  return buildGroundTruth(source, evalImages, categories, boxes);
}

/** COCO's 80 detection classes (YOLO index order) → their sparse COCO category ids. */
export const COCO80_TO_COCO91 = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33,
  34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61,
  62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
];

/** COCO's 80 detection class names in YOLO index order. */
export const COCO80_NAMES = [
  'person',
  'bicycle',
  'car',
  'motorcycle',
  'airplane',
  'bus',
  'train',
  'truck',
  'boat',
  'traffic light',
  'fire hydrant',
  'stop sign',
  'parking meter',
  'bench',
  'bird',
  'cat',
  'dog',
  'horse',
  'sheep',
  'cow',
  'elephant',
  'bear',
  'zebra',
  'giraffe',
  'backpack',
  'umbrella',
  'handbag',
  'tie',
  'suitcase',
  'frisbee',
  'skis',
  'snowboard',
  'sports ball',
  'kite',
  'baseball bat',
  'baseball glove',
  'skateboard',
  'surfboard',
  'tennis racket',
  'bottle',
  'wine glass',
  'cup',
  'fork',
  'knife',
  'spoon',
  'bowl',
  'banana',
  'apple',
  'sandwich',
  'orange',
  'broccoli',
  'carrot',
  'hot dog',
  'pizza',
  'donut',
  'cake',
  'chair',
  'couch',
  'potted plant',
  'bed',
  'dining table',
  'toilet',
  'tv',
  'laptop',
  'mouse',
  'remote',
  'keyboard',
  'cell phone',
  'microwave',
  'oven',
  'toaster',
  'sink',
  'refrigerator',
  'book',
  'clock',
  'vase',
  'scissors',
  'teddy bear',
  'hair drier',
  'toothbrush',
];
