/**
 * Pascal VOC annotation XML (`Annotations/<id>.xml`): size and objects with name, difficult and the
 * 1-based inclusive `bndbox`. Pure (text in); the folder walk with `ImageSets/Main/<split>.txt` is in
 * `../node.ts`, which calls `vocGroundTruth` with the parsed files.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { buildGroundTruth, type GtBox } from '../dataset/builder.ts';
import type { EvalCategory, EvalImage, GroundTruth } from '../dataset/types.ts';
import { EvalInputError } from '../errors.ts';

export interface VocObject {
  name: string;
  difficult: boolean;
  /** xmin, ymin, xmax, ymax as written. */
  box: [number, number, number, number];
}

export interface VocAnnotation {
  id: string;
  fileName?: string;
  width: number;
  height: number;
  objects: VocObject[];
}

/** The 20 Pascal VOC classes in the usual order (the class order when every name is one of them). */
export const VOC_CLASSES = [
  'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'object' });

function num(v: unknown, source: string, where: string): number {
  const n = typeof v === 'string' ? Number(v.trim()) : typeof v === 'number' ? v : Number.NaN;
  if (v === undefined || !Number.isFinite(n)) throw new EvalInputError(source, where, `expected a number, got ${JSON.stringify(v) ?? 'nothing'}`);
  return n;
}

export function parseVocXml(text: string, source: string, id: string): VocAnnotation {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new EvalInputError(source, `line ${valid.err.line}`, `malformed XML: ${valid.err.msg}`);
  const doc = parser.parse(text) as { annotation?: Record<string, unknown> };
  const ann = doc.annotation;
  if (!ann || typeof ann !== 'object') throw new EvalInputError(source, undefined, 'no <annotation> element');
  const size = ann.size as Record<string, unknown> | undefined;
  const width = size ? num(size.width, source, '<size><width>') : 0;
  const height = size ? num(size.height, source, '<size><height>') : 0;
  const objects: VocObject[] = [];
  const raw = (ann.object as Record<string, unknown>[] | undefined) ?? [];
  raw.forEach((o, i) => {
    const where = `<object> ${i + 1}`;
    const name = typeof o.name === 'string' ? o.name.trim() : '';
    if (!name) throw new EvalInputError(source, where, 'missing <name>');
    const bb = o.bndbox as Record<string, unknown> | undefined;
    if (!bb || typeof bb !== 'object') throw new EvalInputError(source, where, 'missing <bndbox>');
    const box: [number, number, number, number] = [
      num(bb.xmin, source, `${where} <xmin>`),
      num(bb.ymin, source, `${where} <ymin>`),
      num(bb.xmax, source, `${where} <xmax>`),
      num(bb.ymax, source, `${where} <ymax>`),
    ];
    if (box[2] < box[0] || box[3] < box[1]) throw new EvalInputError(source, where, `box has a negative size (${box.join(', ')})`);
    const difficult = o.difficult !== undefined && num(o.difficult, source, `${where} <difficult>`) !== 0;
    objects.push({ name, difficult, box });
  });
  return { id, fileName: typeof ann.filename === 'string' ? ann.filename : undefined, width, height, objects };
}

/**
 * Ground truth from parsed VOC annotations (in image-list order). Classes: the VOC 20 when every name
 * is one of them, else the names sorted; or `classNames` when given (an unknown name is then an error).
 * For COCO-style metrics on VOC boxes: `x = xmin, w = xmax − xmin` (no +1), `area = w·h`.
 */
export function vocGroundTruth(source: string, annotations: VocAnnotation[], classNames?: string[]): GroundTruth {
  const names = new Set<string>();
  for (const a of annotations) for (const o of a.objects) names.add(o.name);
  const classes = classNames ?? ([...names].every((n) => VOC_CLASSES.includes(n)) ? VOC_CLASSES : [...names].sort());
  const categories: EvalCategory[] = classes.map((name, i) => ({ id: i, name }));
  const catIndex = new Map(classes.map((n, i) => [n, i] as const));
  const images: EvalImage[] = [];
  const boxes: GtBox[] = [];
  annotations.forEach((a, img) => {
    images.push({ id: a.id, fileName: a.fileName, width: a.width, height: a.height });
    a.objects.forEach((o, j) => {
      const cat = catIndex.get(o.name);
      if (cat === undefined) throw new EvalInputError(`${source}/${a.id}`, `<object> ${j + 1}`, `class "${o.name}" is not in the class list`);
      const [x1, y1, x2, y2] = o.box;
      boxes.push({
        image: img,
        category: cat,
        xyxy: [x1, y1, x2, y2],
        xywh: [x1, y1, x2 - x1, y2 - y1],
        area: (x2 - x1) * (y2 - y1),
        crowd: false,
        difficult: o.difficult,
        annId: boxes.length + 1,
      });
    });
  });
  return buildGroundTruth(source, images, categories, boxes);
}
