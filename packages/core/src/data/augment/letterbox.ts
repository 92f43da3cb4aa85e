/**
 * Upstream `letterbox`: resize keeping the aspect ratio so the image fits `shape` [h, w], then pad with
 * gray 114 split evenly on both sides. `auto` pads only up to a multiple of `stride` (a minimum rectangle);
 * `scaleup: false` never enlarges (upstream evaluation).
 */
import { blit, filledImage, PAD_VALUE, resizeBilinear, type RgbImage } from '../image/rgb-image.ts';

export interface LetterboxOptions {
  auto?: boolean;
  stride?: number;
  scaleup?: boolean;
  color?: number;
}

export interface LetterboxResult {
  image: RgbImage;
  /** Scale applied, [x, y] (equal). */
  ratio: [number, number];
  /** Half the total padding, [dw, dh] (upstream returns these floats). */
  pad: [number, number];
}

/** Python `round` (banker's rounding on exact halves), which upstream's pad arithmetic relies on. */
export function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function letterbox(img: RgbImage, shape: [number, number], o: LetterboxOptions = {}): LetterboxResult {
  const [nh, nw] = shape;
  let r = Math.min(nh / img.height, nw / img.width);
  if (o.scaleup === false) r = Math.min(r, 1);
  const uw = pyRound(img.width * r);
  const uh = pyRound(img.height * r);
  let dw = nw - uw;
  let dh = nh - uh;
  if (o.auto) {
    const s = o.stride ?? 32;
    dw %= s;
    dh %= s;
  }
  dw /= 2;
  dh /= 2;
  const resized = resizeBilinear(img, uw, uh);
  const top = pyRound(dh - 0.1);
  const bottom = pyRound(dh + 0.1);
  const left = pyRound(dw - 0.1);
  const right = pyRound(dw + 0.1);
  const out = filledImage(uw + left + right, uh + top + bottom, o.color ?? PAD_VALUE);
  blit(out, resized, left, top, 0, 0, uw, uh);
  return { image: out, ratio: [r, r], pad: [dw, dh] };
}
