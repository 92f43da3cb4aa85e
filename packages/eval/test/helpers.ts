/** Small hand-made ground truth / detections for hand-checked cases. */
import { buildGroundTruth, DetectionsBuilder, type Detections, type GroundTruth, type GtBox } from '../src/index.ts';

export interface HandBox {
  img: number;
  cat: number;
  xywh: [number, number, number, number];
  crowd?: boolean;
  difficult?: boolean;
  area?: number;
}

export function handGt(nImages: number, nCats: number, boxes: HandBox[]): GroundTruth {
  const images = Array.from({ length: nImages }, (_, i) => ({ id: i + 1, width: 640, height: 480 }));
  const categories = Array.from({ length: nCats }, (_, k) => ({ id: k + 1, name: `c${k + 1}` }));
  const gb: GtBox[] = boxes.map((b, i) => {
    const [x, y, w, h] = b.xywh;
    return { image: b.img, category: b.cat, xywh: b.xywh, xyxy: [x, y, x + w, y + h], area: b.area ?? w * h, crowd: !!b.crowd, difficult: !!b.difficult, annId: i + 1 };
  });
  return buildGroundTruth('hand', images, categories, gb);
}

export function handDt(dets: { img: number; cat: number; xywh: [number, number, number, number]; score: number }[]): Detections {
  const b = new DetectionsBuilder();
  for (const d of dets) b.push(d.img, d.cat, d.score, d.xywh, 'xywh');
  return b.build('hand-dets');
}
