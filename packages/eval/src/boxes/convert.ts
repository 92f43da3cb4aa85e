/**
 * Box formats. `xyxy` = corners, `xywh` = COCO top-left + size, `cxcywh` = YOLO centre + size.
 * Batched conversions work on flat arrays of 4 numbers per box, in place or into `out`.
 */
export type BoxFormat = 'xyxy' | 'xywh' | 'cxcywh';
export type Box = [number, number, number, number];
type FloatArray = Float32Array | Float64Array;

/** One box from `from` to `to`. */
export function convertBox(box: ArrayLike<number>, from: BoxFormat, to: BoxFormat): Box {
  const [x1, y1, x2, y2] = toXyxy(box[0], box[1], box[2], box[3], from);
  return fromXyxy(x1, y1, x2, y2, to);
}

function toXyxy(a: number, b: number, c: number, d: number, from: BoxFormat): Box {
  switch (from) {
    case 'xyxy':
      return [a, b, c, d];
    case 'xywh':
      return [a, b, a + c, b + d];
    case 'cxcywh':
      // Same operation order as upstream `xywh2xyxy`, so float32 inputs give upstream's bits.
      return [a - c / 2, b - d / 2, a + c / 2, b + d / 2];
  }
}

function fromXyxy(x1: number, y1: number, x2: number, y2: number, to: BoxFormat): Box {
  switch (to) {
    case 'xyxy':
      return [x1, y1, x2, y2];
    case 'xywh':
      return [x1, y1, x2 - x1, y2 - y1];
    case 'cxcywh':
      return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1];
  }
}

/** Converts `n = src.length / 4` boxes; `out` may be `src` (in place). Float32 outputs round like float32 math. */
export function convertBoxes<T extends FloatArray>(src: T, from: BoxFormat, to: BoxFormat, out?: T): T {
  const dst = out ?? (new (src.constructor as { new (n: number): T })(src.length) as T);
  for (let i = 0; i < src.length; i += 4) {
    const b = convertBox([src[i], src[i + 1], src[i + 2], src[i + 3]], from, to);
    dst[i] = b[0];
    dst[i + 1] = b[1];
    dst[i + 2] = b[2];
    dst[i + 3] = b[3];
  }
  return dst;
}

/** Upstream `xywh2xyxy` on float32 values (centre/size → corners), each result rounded to float32. */
export function cxcywhToXyxyF32(cx: number, cy: number, w: number, h: number): Box {
  const f = Math.fround;
  return [f(cx - f(w / 2)), f(cy - f(h / 2)), f(cx + f(w / 2)), f(cy + f(h / 2))];
}
