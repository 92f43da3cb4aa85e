/** Horizontal flip of an image (in place) and of normalised rows (cls, cx, cy, w, h): cx → 1 - cx. */
import type { RgbImage } from '../image/rgb-image.ts';

export function flipImageLR(img: RgbImage): void {
  const { data, width, height } = img;
  for (let y = 0; y < height; y++) {
    let l = y * width * 3;
    let r = l + (width - 1) * 3;
    while (l < r) {
      for (let c = 0; c < 3; c++) {
        const t = data[l + c];
        data[l + c] = data[r + c];
        data[r + c] = t;
      }
      l += 3;
      r -= 3;
    }
  }
}

export function flipRowsLR(rows: Float32Array): void {
  for (let i = 1; i < rows.length; i += 5) rows[i] = 1 - rows[i];
}
