/**
 * COCO ground truth (instances JSON: images, categories, annotations with `bbox [x, y, w, h]`, `area`,
 * `iscrowd`). Pure: takes the text, so it works in the browser too; `../node.ts` reads files.
 */
import { buildGroundTruth, type GtBox } from '../dataset/builder.ts';
import type { EvalCategory, EvalImage, GroundTruth } from '../dataset/types.ts';
import { EvalInputError } from '../errors.ts';
import { box4, finiteNumber, isRecord, parseJsonText } from './json-text.ts';

export function parseCocoGroundTruth(text: string, source: string): GroundTruth {
  return cocoGroundTruthFromObject(parseJsonText(text, source), source);
}

export function cocoGroundTruthFromObject(doc: unknown, source: string): GroundTruth {
  if (!isRecord(doc)) throw new EvalInputError(source, undefined, 'a COCO ground-truth file must be a JSON object with images, categories and annotations');
  for (const key of ['images', 'annotations', 'categories']) {
    if (!Array.isArray(doc[key])) throw new EvalInputError(source, undefined, `missing "${key}" array (not a COCO ground-truth file?)`);
  }
  const images: EvalImage[] = [];
  const imageById = new Map<string, number>();
  (doc.images as unknown[]).forEach((im, i) => {
    const where = `images[${i}]`;
    if (!isRecord(im)) throw new EvalInputError(source, where, 'must be an object');
    const id = im.id;
    if (typeof id !== 'number' && typeof id !== 'string') throw new EvalInputError(source, where, `id must be a number or string, got ${JSON.stringify(id)}`);
    if (imageById.has(String(id))) throw new EvalInputError(source, where, `duplicate image id ${JSON.stringify(id)}`);
    imageById.set(String(id), images.length);
    images.push({
      id,
      fileName: typeof im.file_name === 'string' ? im.file_name : undefined,
      width: im.width === undefined ? 0 : finiteNumber(im.width, source, where, 'width'),
      height: im.height === undefined ? 0 : finiteNumber(im.height, source, where, 'height'),
    });
  });
  const categories: EvalCategory[] = [];
  const catById = new Map<number, number>();
  (doc.categories as unknown[]).forEach((c, i) => {
    const where = `categories[${i}]`;
    if (!isRecord(c)) throw new EvalInputError(source, where, 'must be an object');
    const id = finiteNumber(c.id, source, where, 'id');
    if (catById.has(id)) throw new EvalInputError(source, where, `duplicate category id ${id}`);
    categories.push({ id, name: typeof c.name === 'string' ? c.name : String(id) });
  });
  // pycocotools evaluates categories in ascending id order
  categories.sort((a, b) => a.id - b.id);
  categories.forEach((c, k) => catById.set(c.id, k));

  const boxes: GtBox[] = [];
  (doc.annotations as unknown[]).forEach((a, i) => {
    const where = `annotations[${i}]`;
    if (!isRecord(a)) throw new EvalInputError(source, where, 'must be an object');
    const img = imageById.get(String(a.image_id));
    if (img === undefined) throw new EvalInputError(source, where, `unknown image_id ${JSON.stringify(a.image_id)}`);
    const cat = typeof a.category_id === 'number' ? catById.get(a.category_id) : undefined;
    if (cat === undefined) throw new EvalInputError(source, where, `unknown category_id ${JSON.stringify(a.category_id)}`);
    const [x, y, w, h] = box4(a.bbox, source, where);
    if (w < 0 || h < 0) throw new EvalInputError(source, where, `bbox has a negative ${w < 0 ? 'width' : 'height'} (${JSON.stringify(a.bbox)})`);
    const area = a.area === undefined ? w * h : finiteNumber(a.area, source, where, 'area');
    const annId = a.id === undefined ? i + 1 : finiteNumber(a.id, source, where, 'id');
    boxes.push({ image: img, category: cat, xywh: [x, y, w, h], xyxy: [x, y, x + w, y + h], area, crowd: Boolean(a.iscrowd), difficult: false, annId });
  });
  return buildGroundTruth(source, images, categories, boxes);
}
