/**
 * Detections as a JSON list, in either of two forms:
 * - COCO results: `{image_id, category_id, bbox: [x, y, w, h], score}`;
 * - VOC per-image form: `{image_id, category: "<class name>", bbox: [xmin, ymin, xmax, ymax], score}`.
 * In `auto` mode each record's form follows its fields (`category` name ⇒ VOC corners). Every record must
 * name a known image and category and carry a finite score and a box with non-negative size.
 */
import { DetectionsBuilder } from '../dataset/builder.ts';
import { imageIndex, type Detections, type GroundTruth } from '../dataset/types.ts';
import { EvalInputError } from '../errors.ts';
import { box4, finiteNumber, isRecord, parseJsonText } from './json-text.ts';

export type DetectionFormat = 'auto' | 'coco' | 'voc';

export function parseDetections(text: string, source: string, gt: GroundTruth, format: DetectionFormat = 'auto'): Detections {
  return detectionsFromObject(parseJsonText(text, source), source, gt, format);
}

export function detectionsFromObject(doc: unknown, source: string, gt: GroundTruth, format: DetectionFormat = 'auto'): Detections {
  const list = Array.isArray(doc) ? doc : isRecord(doc) && Array.isArray(doc.annotations) ? doc.annotations : null;
  if (!list) throw new EvalInputError(source, undefined, 'detections must be a JSON array of {image_id, category_id | category, bbox, score} records');
  const images = imageIndex(gt.images);
  const catById = new Map<number, number>();
  const catByName = new Map<string, number>();
  gt.categories.forEach((c, k) => {
    catById.set(c.id, k);
    if (!catByName.has(c.name)) catByName.set(c.name, k);
  });
  const out = new DetectionsBuilder(list.length);
  for (let i = 0; i < list.length; i++) {
    const r = list[i];
    const where = `record ${i}`;
    if (!isRecord(r)) throw new EvalInputError(source, where, 'must be an object');
    const img = images.get(String(r.image_id));
    if (img === undefined) throw new EvalInputError(source, where, `unknown image_id ${JSON.stringify(r.image_id)} (not in the ground truth)`);
    let cat: number | undefined;
    if (typeof r.category === 'string') {
      cat = catByName.get(r.category);
      if (cat === undefined) throw new EvalInputError(source, where, `unknown category "${r.category}"`);
    } else {
      cat = typeof r.category_id === 'number' ? catById.get(r.category_id) : undefined;
      if (cat === undefined) throw new EvalInputError(source, where, `unknown category_id ${JSON.stringify(r.category_id)}`);
    }
    const form = format === 'auto' ? (typeof r.category === 'string' ? 'voc' : 'coco') : format;
    const score = finiteNumber(r.score, source, where, 'score');
    const b = box4(r.bbox, source, where);
    if (form === 'coco') {
      if (b[2] < 0 || b[3] < 0) throw new EvalInputError(source, where, `bbox [x, y, w, h] has a negative ${b[2] < 0 ? 'width' : 'height'} (${JSON.stringify(r.bbox)})`);
    } else if (b[2] < b[0] || b[3] < b[1]) {
      throw new EvalInputError(source, where, `bbox [xmin, ymin, xmax, ymax] has a negative ${b[2] < b[0] ? 'width' : 'height'} (${JSON.stringify(r.bbox)})`);
    }
    out.push(img, cat, score, b, form === 'coco' ? 'xywh' : 'xyxy');
  }
  return out.build(source);
}
