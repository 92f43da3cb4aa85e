/**
 * Upstream `load_mosaic`: four images (already load-resized, long side s) placed around a random centre
 * (xc, yc) in [s/2, 3s/2) on a 2s x 2s gray canvas; labels shifted with them and clipped to the canvas.
 * The caller then applies the random affine with border -s/2, which crops back to s x s.
 */
import { blit, filledImage, type RgbImage } from '../image/rgb-image.ts';
import { clipRows, normToPixel } from './boxes.ts';

export interface MosaicPart {
  image: RgbImage;
  /** Normalised rows (cls, cx, cy, w, h) of this image. */
  labels: ArrayLike<number>;
  ignored: ArrayLike<number>;
}

export function mosaic(parts: [MosaicPart, MosaicPart, MosaicPart, MosaicPart], s: number, xc: number, yc: number) {
  const img4 = filledImage(2 * s, 2 * s);
  const labels: number[] = [];
  const ignored: number[] = [];
  parts.forEach((part, i) => {
    const { width: w, height: h } = part.image;
    let x1a: number, y1a: number, x2a: number, y2a: number, x1b: number, y1b: number;
    if (i === 0) {
      [x1a, y1a, x2a, y2a] = [Math.max(xc - w, 0), Math.max(yc - h, 0), xc, yc];
      [x1b, y1b] = [w - (x2a - x1a), h - (y2a - y1a)];
    } else if (i === 1) {
      [x1a, y1a, x2a, y2a] = [xc, Math.max(yc - h, 0), Math.min(xc + w, 2 * s), yc];
      [x1b, y1b] = [0, h - (y2a - y1a)];
    } else if (i === 2) {
      [x1a, y1a, x2a, y2a] = [Math.max(xc - w, 0), yc, xc, Math.min(2 * s, yc + h)];
      [x1b, y1b] = [w - (x2a - x1a), 0];
    } else {
      [x1a, y1a, x2a, y2a] = [xc, yc, Math.min(xc + w, 2 * s), Math.min(2 * s, yc + h)];
      [x1b, y1b] = [0, 0];
    }
    // The copied block is the overlap of both rectangles (numpy clamps the upstream slices the same way).
    const cw = Math.min(x2a - x1a, w - x1b);
    const ch = Math.min(y2a - y1a, h - y1b);
    if (cw > 0 && ch > 0) blit(img4, part.image, x1a, y1a, x1b, y1b, cw, ch);
    const padw = x1a - x1b;
    const padh = y1a - y1b;
    labels.push(...normToPixel(part.labels, w, h, padw, padh));
    ignored.push(...normToPixel(part.ignored, w, h, padw, padh));
  });
  clipRows(labels, 0, 2 * s);
  clipRows(ignored, 0, 2 * s);
  return { image: img4, labels, ignored };
}
