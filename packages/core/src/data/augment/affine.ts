/**
 * Upstream `random_affine`: rotation+scale about the image centre (cv2.getRotationMatrix2D), translation
 * (+ border), shear; M = S·T·R. The image is warped with bilinear sampling and gray-114 borders; boxes are
 * transformed by their 4 corners, enclosed, clipped to the output, and filtered by `boxCandidates`.
 * `border = -s/2` after a 2s mosaic crops the output back to s x s.
 */
import type { Rng } from '../random/rng.ts';
import { PAD_VALUE, type RgbImage } from '../image/rgb-image.ts';

export interface AffineParams {
  degrees: number;
  translate: number;
  scale: number;
  shear: number;
}

/** Row-major 3x3. */
type Mat3 = [number, number, number, number, number, number, number, number, number];

function mul(a: Mat3, b: Mat3): Mat3 {
  const o = new Array(9).fill(0) as Mat3;
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) o[r * 3 + c] += a[r * 3 + k] * b[k * 3 + c];
  return o;
}

export interface AffineDraw {
  /** Forward 2x3 matrix [a, b, c, d, e, f]: x' = a x + b y + c, y' = d x + e y + f. */
  M: [number, number, number, number, number, number];
  /** The drawn scale (box filtering compares areas against it). */
  s: number;
  width: number;
  height: number;
}

/** Draws the transform in upstream order: angle, scale, translate x, translate y, shear x, shear y. */
export function drawAffine(rng: Rng, width: number, height: number, p: AffineParams, border = 0): AffineDraw {
  const a = rng.uniform(-p.degrees, p.degrees);
  const s = rng.uniform(1 - p.scale, 1 + p.scale);
  const rad = (a * Math.PI) / 180;
  const alpha = s * Math.cos(rad);
  const beta = s * Math.sin(rad);
  const cx = width / 2;
  const cy = height / 2;
  const R: Mat3 = [alpha, beta, (1 - alpha) * cx - beta * cy, -beta, alpha, beta * cx + (1 - alpha) * cy, 0, 0, 1];
  // Upstream scales the x translation by shape[0] (height) and y by shape[1] (width); kept as is.
  const tx = rng.uniform(-p.translate, p.translate) * height + border;
  const ty = rng.uniform(-p.translate, p.translate) * width + border;
  const T: Mat3 = [1, 0, tx, 0, 1, ty, 0, 0, 1];
  const shx = Math.tan((rng.uniform(-p.shear, p.shear) * Math.PI) / 180);
  const shy = Math.tan((rng.uniform(-p.shear, p.shear) * Math.PI) / 180);
  const S: Mat3 = [1, shx, 0, shy, 1, 0, 0, 0, 1];
  const M = mul(S, mul(T, R));
  return { M: [M[0], M[1], M[2], M[3], M[4], M[5]], s, width: width + 2 * border, height: height + 2 * border };
}

export function isIdentity(M: AffineDraw['M']): boolean {
  return M[0] === 1 && M[1] === 0 && M[2] === 0 && M[3] === 0 && M[4] === 1 && M[5] === 0;
}

/** cv2.warpAffine(INTER_LINEAR, BORDER_CONSTANT 114): dst(x, y) = src(M⁻¹ (x, y)). */
export function warpAffine(src: RgbImage, M: AffineDraw['M'], width: number, height: number, border = PAD_VALUE): RgbImage {
  const [a, b, c, d, e, f] = M;
  const det = a * e - b * d;
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  const ic = -(ia * c + ib * f);
  const iff = -(id * c + ie * f);
  const out = new Uint8Array(width * height * 3);
  const sw = src.width;
  const sh = src.height;
  const s = src.data;
  let o = 0;
  for (let y = 0; y < height; y++) {
    let sx = ib * y + ic;
    let sy = ie * y + iff;
    for (let x = 0; x < width; x++, sx += ia, sy += id) {
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= sw || y0 >= sh) {
        out[o++] = border;
        out[o++] = border;
        out[o++] = border;
        continue;
      }
      const fx = sx - x0;
      const fy = sy - y0;
      const in00 = x0 >= 0 && y0 >= 0;
      const in10 = x0 + 1 < sw && y0 >= 0;
      const in01 = x0 >= 0 && y0 + 1 < sh;
      const in11 = x0 + 1 < sw && y0 + 1 < sh;
      const p00 = (y0 * sw + x0) * 3;
      const p10 = p00 + 3;
      const p01 = p00 + sw * 3;
      const p11 = p01 + 3;
      for (let ch = 0; ch < 3; ch++) {
        const v00 = in00 ? s[p00 + ch] : border;
        const v10 = in10 ? s[p10 + ch] : border;
        const v01 = in01 ? s[p01 + ch] : border;
        const v11 = in11 ? s[p11 + ch] : border;
        const top = v00 + (v10 - v00) * fx;
        const bot = v01 + (v11 - v01) * fx;
        out[o++] = Math.round(top + (bot - top) * fy);
      }
    }
  }
  return { data: out, width, height };
}

/**
 * Upstream `box_candidates`: keep boxes wider and taller than `whThr` px, that keep more than `areaThr`
 * of their (scale-adjusted) area, with aspect ratio below `arThr`. box1 = before (already × s), box2 = after.
 */
export function boxCandidate(w1: number, h1: number, w2: number, h2: number, whThr = 2, arThr = 20, areaThr = 0.2): boolean {
  const ar = Math.max(w2 / (h2 + 1e-16), h2 / (w2 + 1e-16));
  return w2 > whThr && h2 > whThr && (w2 * h2) / (w1 * h1 + 1e-16) > areaThr && ar < arThr;
}

/** Transforms pixel rows (cls, x1, y1, x2, y2) by M; encloses, clips to the output, filters. */
export function transformBoxes(rows: ArrayLike<number>, t: AffineDraw): number[] {
  const [a, b, c, d, e, f] = t.M;
  const out: number[] = [];
  for (let i = 0; i + 4 < rows.length; i += 5) {
    const [x1, y1, x2, y2] = [rows[i + 1], rows[i + 2], rows[i + 3], rows[i + 4]];
    const xs = [a * x1 + b * y1 + c, a * x2 + b * y2 + c, a * x1 + b * y2 + c, a * x2 + b * y1 + c];
    const ys = [d * x1 + e * y1 + f, d * x2 + e * y2 + f, d * x1 + e * y2 + f, d * x2 + e * y1 + f];
    const nx1 = Math.min(Math.max(Math.min(...xs), 0), t.width);
    const nx2 = Math.min(Math.max(Math.max(...xs), 0), t.width);
    const ny1 = Math.min(Math.max(Math.min(...ys), 0), t.height);
    const ny2 = Math.min(Math.max(Math.max(...ys), 0), t.height);
    if (boxCandidate((x2 - x1) * t.s, (y2 - y1) * t.s, nx2 - nx1, ny2 - ny1)) out.push(rows[i], nx1, ny1, nx2, ny2);
  }
  return out;
}

export function randomAffine(
  img: RgbImage,
  labels: ArrayLike<number>,
  ignored: ArrayLike<number>,
  p: AffineParams,
  rng: Rng,
  border = 0,
): { image: RgbImage; labels: number[]; ignored: number[] } {
  const t = drawAffine(rng, img.width, img.height, p, border);
  const image = border !== 0 || !isIdentity(t.M) ? warpAffine(img, t.M, t.width, t.height) : img;
  return { image, labels: transformBoxes(labels, t), ignored: transformBoxes(ignored, t) };
}
