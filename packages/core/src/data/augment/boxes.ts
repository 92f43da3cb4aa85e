/** Flat label rows helpers. Pixel rows are (cls, x1, y1, x2, y2); normalised rows are (cls, cx, cy, w, h). */

/** Normalised (cls, cx, cy, w, h) of an image of size w x h → pixel (cls, x1, y1, x2, y2), scaled and shifted. */
export function normToPixel(rows: ArrayLike<number>, w: number, h: number, padw: number, padh: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 < rows.length; i += 5) {
    const [c, cx, cy, bw, bh] = [rows[i], rows[i + 1], rows[i + 2], rows[i + 3], rows[i + 4]];
    out.push(c, w * (cx - bw / 2) + padw, h * (cy - bh / 2) + padh, w * (cx + bw / 2) + padw, h * (cy + bh / 2) + padh);
  }
  return out;
}

/** Pixel (cls, x1, y1, x2, y2) → (cls, cx, cy, w, h) normalised by the image size (upstream xyxy2xywh + divide). */
export function pixelToNorm(rows: ArrayLike<number>, w: number, h: number): Float32Array {
  const out = new Float32Array(rows.length);
  for (let i = 0; i + 4 < rows.length; i += 5) {
    out[i] = rows[i];
    out[i + 1] = (rows[i + 1] + rows[i + 3]) / 2 / w;
    out[i + 2] = (rows[i + 2] + rows[i + 4]) / 2 / h;
    out[i + 3] = (rows[i + 3] - rows[i + 1]) / w;
    out[i + 4] = (rows[i + 4] - rows[i + 2]) / h;
  }
  return out;
}

export function clipRows(rows: number[], lo: number, hi: number): void {
  for (let i = 0; i + 4 < rows.length; i += 5) {
    for (let k = 1; k < 5; k++) rows[i + k] = Math.min(Math.max(rows[i + k], lo), hi);
  }
}
