/** An 8-bit RGB image, HWC, row-major: the pixel format the whole augmentation pipeline works on. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The upstream padding gray. */
export const PAD_VALUE = 114;

export function filledImage(width: number, height: number, value = PAD_VALUE): RgbImage {
  return { data: new Uint8Array(width * height * 3).fill(value), width, height };
}

/**
 * Bilinear resize with pixel centres at +0.5 (as OpenCV INTER_LINEAR does); used for the letterbox
 * resize that follows the load resize (which sharp does while decoding).
 */
export function resizeBilinear(src: RgbImage, width: number, height: number): RgbImage {
  if (src.width === width && src.height === height) return src;
  const out = new Uint8Array(width * height * 3);
  const sx = src.width / width;
  const sy = src.height / height;
  const sw = src.width;
  const s = src.data;
  const x0s = new Int32Array(width);
  const x1s = new Int32Array(width);
  const fxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    let fx = (x + 0.5) * sx - 0.5;
    if (fx < 0) fx = 0;
    const x0 = Math.min(Math.floor(fx), sw - 1);
    x0s[x] = x0 * 3;
    x1s[x] = Math.min(x0 + 1, sw - 1) * 3;
    fxs[x] = fx - x0;
  }
  for (let y = 0; y < height; y++) {
    let fy = (y + 0.5) * sy - 0.5;
    if (fy < 0) fy = 0;
    const y0 = Math.min(Math.floor(fy), src.height - 1);
    const y1 = Math.min(y0 + 1, src.height - 1);
    const wy = fy - y0;
    const r0 = y0 * sw * 3;
    const r1 = y1 * sw * 3;
    let o = y * width * 3;
    for (let x = 0; x < width; x++) {
      const wx = fxs[x];
      const a = r0 + x0s[x];
      const b = r0 + x1s[x];
      const c = r1 + x0s[x];
      const d = r1 + x1s[x];
      for (let ch = 0; ch < 3; ch++) {
        const top = s[a + ch] + (s[b + ch] - s[a + ch]) * wx;
        const bot = s[c + ch] + (s[d + ch] - s[c + ch]) * wx;
        out[o++] = Math.round(top + (bot - top) * wy);
      }
    }
  }
  return { data: out, width, height };
}

/** Copies `src[y1b:y2b, x1b:x2b]` into `dst[y1a:, x1a:]` (numpy slice assignment, as mosaic does). */
export function blit(dst: RgbImage, src: RgbImage, x1a: number, y1a: number, x1b: number, y1b: number, w: number, h: number): void {
  for (let y = 0; y < h; y++) {
    const so = ((y1b + y) * src.width + x1b) * 3;
    dst.data.set(src.data.subarray(so, so + w * 3), ((y1a + y) * dst.width + x1a) * 3);
  }
}
