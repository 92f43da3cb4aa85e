/**
 * Letterbox geometry (upstream `utils/datasets.py::letterbox`) and the way back to the original image
 * (`utils/utils.py::scale_coords` + `clip_coords`). Only the numbers: resizing pixels is the data
 * pipeline's job.
 */
export interface LetterboxOptions {
  /** Pad only to a multiple of `stride` (upstream `auto=True`, the rectangular-inference mode). */
  auto?: boolean;
  /** Stretch to the new shape without padding. */
  scaleFill?: boolean;
  /** Allow enlarging (upstream `scaleup=True`); false = only shrink (better mAP on small images). */
  scaleup?: boolean;
  /** Multiple for `auto` padding; upstream letterbox hard-codes 64. */
  stride?: number;
}

export interface LetterboxGeometry {
  /** Resize ratio (width, height). */
  ratio: [number, number];
  /** Padding per side (dw, dh), possibly fractional, as upstream returns it. */
  pad: [number, number];
  /** Resized image size before padding (width, height). */
  newUnpad: [number, number];
  /** Border pixels actually added: top, bottom, left, right. */
  border: { top: number; bottom: number; left: number; right: number };
  /** Final size (height, width). */
  shape: [number, number];
}

/** Python's `round` (banker's rounding to even on .5). */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * @param shape    original [height, width]
 * @param newShape target [height, width] (or one number for a square)
 */
export function letterboxGeometry(shape: [number, number], newShape: number | [number, number], options: LetterboxOptions = {}): LetterboxGeometry {
  const { auto = true, scaleFill = false, scaleup = true, stride = 64 } = options;
  const ns: [number, number] = typeof newShape === 'number' ? [newShape, newShape] : newShape;
  let r = Math.min(ns[0] / shape[0], ns[1] / shape[1]);
  if (!scaleup) r = Math.min(r, 1.0);
  let ratio: [number, number] = [r, r];
  let newUnpad: [number, number] = [pyRound(shape[1] * r), pyRound(shape[0] * r)];
  let dw = ns[1] - newUnpad[0];
  let dh = ns[0] - newUnpad[1];
  if (auto) {
    dw = ((dw % stride) + stride) % stride;
    dh = ((dh % stride) + stride) % stride;
  } else if (scaleFill) {
    dw = 0;
    dh = 0;
    newUnpad = [ns[1], ns[0]];
    ratio = [ns[1] / shape[1], ns[0] / shape[0]];
  }
  dw /= 2;
  dh /= 2;
  const border = {
    top: pyRound(dh - 0.1),
    bottom: pyRound(dh + 0.1),
    left: pyRound(dw - 0.1),
    right: pyRound(dw + 0.1),
  };
  return {
    ratio,
    pad: [dw, dh],
    newUnpad,
    border,
    shape: [newUnpad[1] + border.top + border.bottom, newUnpad[0] + border.left + border.right],
  };
}

/** Clamp xyxy boxes (flat, 4 per box, or rows of `stride` values) to [0, w] × [0, h], in place. */
export function clipCoords(boxes: Float32Array | Float64Array, height: number, width: number, stride = 4): void {
  for (let i = 0; i + 3 < boxes.length; i += stride) {
    boxes[i] = Math.min(Math.max(boxes[i], 0), width);
    boxes[i + 1] = Math.min(Math.max(boxes[i + 1], 0), height);
    boxes[i + 2] = Math.min(Math.max(boxes[i + 2], 0), width);
    boxes[i + 3] = Math.min(Math.max(boxes[i + 3], 0), height);
  }
}

/**
 * Upstream `scale_coords`: xyxy boxes on the letterboxed input `img1Shape` [h, w] back to the original
 * `img0Shape` [h, w], then clipped. Without `ratioPad` the gain is upstream's `max(img1)/max(img0)`
 * guess (exact for square letterboxing); pass the loader's `[[ratio], [padW, padH]]` when known.
 * Works in place on rows of `stride` values (6 for NMS output), returns the same array.
 */
export function scaleCoords<T extends Float32Array | Float64Array>(
  img1Shape: [number, number],
  coords: T,
  img0Shape: [number, number],
  ratioPad?: [[number, ...number[]], [number, number]],
  stride = 4,
): T {
  let gain: number, padW: number, padH: number;
  if (!ratioPad) {
    gain = Math.max(img1Shape[0], img1Shape[1]) / Math.max(img0Shape[0], img0Shape[1]);
    padW = (img1Shape[1] - img0Shape[1] * gain) / 2;
    padH = (img1Shape[0] - img0Shape[0] * gain) / 2;
  } else {
    gain = ratioPad[0][0];
    [padW, padH] = ratioPad[1];
  }
  for (let i = 0; i + 3 < coords.length; i += stride) {
    coords[i] = (coords[i] - padW) / gain;
    coords[i + 1] = (coords[i + 1] - padH) / gain;
    coords[i + 2] = (coords[i + 2] - padW) / gain;
    coords[i + 3] = (coords[i + 3] - padH) / gain;
  }
  clipCoords(coords, img0Shape[0], img0Shape[1], stride);
  return coords;
}
