/** Collects boxes one by one (readers) and packs them into the typed-array form. */
import type { Detections, EvalCategory, EvalImage, GroundTruth } from './types.ts';

export interface GtBox {
  image: number;
  category: number;
  xywh: [number, number, number, number];
  xyxy: [number, number, number, number];
  area: number;
  crowd: boolean;
  difficult: boolean;
  annId: number;
}

export function buildGroundTruth(source: string, images: EvalImage[], categories: EvalCategory[], boxes: GtBox[]): GroundTruth {
  const n = boxes.length;
  const gt: GroundTruth = {
    source,
    images,
    categories,
    count: n,
    image: new Int32Array(n),
    category: new Int32Array(n),
    xywh: new Float64Array(n * 4),
    xyxy: new Float64Array(n * 4),
    area: new Float64Array(n),
    crowd: new Uint8Array(n),
    difficult: new Uint8Array(n),
    annId: new Float64Array(n),
  };
  boxes.forEach((b, i) => {
    gt.image[i] = b.image;
    gt.category[i] = b.category;
    gt.xywh.set(b.xywh, i * 4);
    gt.xyxy.set(b.xyxy, i * 4);
    gt.area[i] = b.area;
    gt.crowd[i] = b.crowd ? 1 : 0;
    gt.difficult[i] = b.difficult ? 1 : 0;
    gt.annId[i] = b.annId;
  });
  return gt;
}

/** Growable struct-of-arrays for detections: no object per detection. */
export class DetectionsBuilder {
  private n = 0;
  private cap: number;
  private image: Int32Array;
  private category: Int32Array;
  private xywh: Float64Array;
  private xyxy: Float64Array;
  private score: Float64Array;

  constructor(capacity = 1024) {
    this.cap = Math.max(1, capacity);
    this.image = new Int32Array(this.cap);
    this.category = new Int32Array(this.cap);
    this.xywh = new Float64Array(this.cap * 4);
    this.xyxy = new Float64Array(this.cap * 4);
    this.score = new Float64Array(this.cap);
  }

  private grow(): void {
    this.cap *= 2;
    const g = <T extends Int32Array | Float64Array>(a: T, per: number): T => {
      const b = new (a.constructor as { new (n: number): T })(this.cap * per);
      b.set(a);
      return b;
    };
    this.image = g(this.image, 1);
    this.category = g(this.category, 1);
    this.xywh = g(this.xywh, 4);
    this.xyxy = g(this.xyxy, 4);
    this.score = g(this.score, 1);
  }

  /** Adds one detection given as xywh (x1 = x, x2 = x + w) or xyxy (w = x2 − x1). */
  push(image: number, category: number, score: number, box: ArrayLike<number>, format: 'xywh' | 'xyxy'): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.image[i] = image;
    this.category[i] = category;
    this.score[i] = score;
    const o = i * 4;
    const [a, b, c, d] = [box[0], box[1], box[2], box[3]];
    if (format === 'xywh') {
      this.xywh[o] = a; this.xywh[o + 1] = b; this.xywh[o + 2] = c; this.xywh[o + 3] = d;
      this.xyxy[o] = a; this.xyxy[o + 1] = b; this.xyxy[o + 2] = a + c; this.xyxy[o + 3] = b + d;
    } else {
      this.xyxy[o] = a; this.xyxy[o + 1] = b; this.xyxy[o + 2] = c; this.xyxy[o + 3] = d;
      this.xywh[o] = a; this.xywh[o + 1] = b; this.xywh[o + 2] = c - a; this.xywh[o + 3] = d - b;
    }
  }

  build(source: string): Detections {
    const n = this.n;
    return {
      source,
      count: n,
      image: this.image.slice(0, n),
      category: this.category.slice(0, n),
      xywh: this.xywh.slice(0, n * 4),
      xyxy: this.xyxy.slice(0, n * 4),
      score: this.score.slice(0, n),
    };
  }
}
