/**
 * The in-memory form every reader produces and every metric consumes: images and categories as small
 * lists, boxes as struct-of-arrays typed arrays (one entry per box, no per-box objects), so half a
 * million detections cost a few tens of MB and can be posted to worker threads as they are.
 */
export interface EvalImage {
  /** The id detections refer to (COCO numeric id, VOC/YOLO file stem). */
  id: number | string;
  fileName?: string;
  width: number;
  height: number;
}

export interface EvalCategory {
  id: number;
  name: string;
}

/** Boxes on images. `xywh` and `xyxy` hold the same boxes (4 numbers each); `xyxy` keeps the source's own corner values (VOC's inclusive pixel indices) so the +1 convention sees them unchanged. */
export interface BoxArrays {
  count: number;
  /** Image index into `images`. */
  image: Int32Array;
  /** Category index into `categories`. */
  category: Int32Array;
  xywh: Float64Array;
  xyxy: Float64Array;
}

export interface GroundTruth extends BoxArrays {
  source: string;
  images: EvalImage[];
  categories: EvalCategory[];
  /** COCO `area` (mask area in COCO instances files), else w·h. */
  area: Float64Array;
  /** COCO `iscrowd`: an ignore region. */
  crowd: Uint8Array;
  /** VOC `<difficult>`. */
  difficult: Uint8Array;
  /** Annotation id (COCO `id`, else 1-based index). pycocotools treats a match to id 0 as no match, and so do we. */
  annId: Float64Array;
}

export interface Detections extends BoxArrays {
  source: string;
  score: Float64Array;
}

/** Index of image ids: JSON numbers and their string forms, and digit-only stems by numeric value. */
export function imageIndex(images: EvalImage[]): Map<string, number> {
  const map = new Map<string, number>();
  images.forEach((img, i) => {
    map.set(String(img.id), i);
    if (typeof img.id === 'string' && /^\d+$/.test(img.id) && !map.has(String(Number(img.id)))) map.set(String(Number(img.id)), i);
  });
  return map;
}

/** Allocates empty box arrays for `n` boxes. */
export function allocBoxes(n: number): BoxArrays {
  return {
    count: n,
    image: new Int32Array(n),
    category: new Int32Array(n),
    xywh: new Float64Array(n * 4),
    xyxy: new Float64Array(n * 4),
  };
}

/** A subset of detections (by index list), e.g. one category range for a worker. */
export function selectDetections(dt: Detections, indices: ArrayLike<number>): Detections {
  const n = indices.length;
  const out: Detections = { ...allocBoxes(n), source: dt.source, score: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    out.image[k] = dt.image[i];
    out.category[k] = dt.category[i];
    out.score[k] = dt.score[i];
    for (let c = 0; c < 4; c++) {
      out.xywh[k * 4 + c] = dt.xywh[i * 4 + c];
      out.xyxy[k * 4 + c] = dt.xyxy[i * 4 + c];
    }
  }
  return out;
}
