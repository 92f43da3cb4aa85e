/** Readers: formats, the shared real data sets, and errors that name file, record and problem. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvalInputError, imageSizeFromBytes, parseCocoGroundTruth, parseDetections, parseVocXml, parseYoloLabels } from '../src/index.ts';
import { readGroundTruth, readImageSize } from '../src/node.ts';
import { SHARED, EVAL_REAL, hasEvalReal } from './shared.ts';

const gtText = JSON.stringify({
  images: [{ id: 7, width: 100, height: 80 }],
  categories: [{ id: 3, name: 'cat' }],
  annotations: [{ id: 1, image_id: 7, category_id: 3, bbox: [1, 2, 10, 20], area: 200, iscrowd: 0 }],
});

function errorOf(fn: () => unknown): EvalInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EvalInputError) return e;
    throw e;
  }
  throw new Error('expected an EvalInputError');
}

describe('bad input names the file, the record and the problem', () => {
  const gt = parseCocoGroundTruth(gtText, 'gt.json');
  it('malformed JSON: line and column', () => {
    const e = errorOf(() => parseDetections('[\n {"image_id": 7,, "x": 1}\n]', 'dets.json', gt));
    expect(e.message).toMatch(/^dets\.json, line 2, column \d+: malformed JSON/);
  });
  it('unknown image and category, NaN and negative boxes', () => {
    const rec = (o: object): string => JSON.stringify([{ image_id: 7, category_id: 3, bbox: [0, 0, 5, 5], score: 0.5 }, o]);
    expect(errorOf(() => parseDetections(rec({ image_id: 8, category_id: 3, bbox: [0, 0, 1, 1], score: 1 }), 'd.json', gt)).message).toBe(
      'd.json, record 1: unknown image_id 8 (not in the ground truth)',
    );
    expect(errorOf(() => parseDetections(rec({ image_id: 7, category_id: 4, bbox: [0, 0, 1, 1], score: 1 }), 'd.json', gt)).message).toMatch(/record 1: unknown category_id 4/);
    expect(errorOf(() => parseDetections(rec({ image_id: 7, category_id: 3, bbox: [0, null, 1, 1], score: 1 }), 'd.json', gt)).message).toMatch(/record 1: bbox\[1\] must be a finite number/);
    expect(errorOf(() => parseDetections(rec({ image_id: 7, category_id: 3, bbox: [0, 0, -1, 1], score: 1 }), 'd.json', gt)).message).toMatch(/record 1: .*negative width/);
    expect(errorOf(() => parseDetections(rec({ image_id: 7, category: 'cat', bbox: [5, 0, 1, 1], score: 1 }), 'd.json', gt)).message).toMatch(/negative width/);
    expect(errorOf(() => parseDetections(rec({ image_id: 7, category_id: 3, bbox: [0, 0, 1, 1], score: 'x' }), 'd.json', gt)).message).toMatch(/record 1: score must be a finite number/);
  });
  it('COCO ground truth: unknown image in an annotation', () => {
    const bad = gtText.replace('"image_id":7', '"image_id":9');
    expect(errorOf(() => parseCocoGroundTruth(bad, 'gt.json')).message).toBe('gt.json, annotations[0]: unknown image_id 9');
  });
  it('VOC XML: malformed and missing fields', () => {
    expect(errorOf(() => parseVocXml('<annotation><size><width>5</width></size>\n<object></annotation>', 'a.xml', 'a')).message).toMatch(/^a\.xml, line \d+: malformed XML/);
    const noBox = '<annotation><size><width>5</width><height>5</height></size><object><name>dog</name></object></annotation>';
    expect(errorOf(() => parseVocXml(noBox, 'b.xml', 'b')).message).toBe('b.xml, <object> 1: missing <bndbox>');
    const nanBox = '<annotation><object><name>dog</name><bndbox><xmin>a</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>';
    expect(errorOf(() => parseVocXml(nanBox, 'c.xml', 'c')).message).toMatch(/c\.xml, <object> 1 <xmin>: expected a number/);
  });
  it('YOLO txt: wrong column count, non-numbers, out of range', () => {
    expect(errorOf(() => parseYoloLabels('0 0.5 0.5 0.1 0.1\n1 0.5 0.5 0.1\n', 'l.txt')).message).toMatch(/^l\.txt, line 2: expected 5 values/);
    expect(errorOf(() => parseYoloLabels('0 0.5 nan 0.1 0.1', 'l.txt')).message).toMatch(/line 1: not a number/);
    expect(errorOf(() => parseYoloLabels('0 0.5 1.5 0.1 0.1', 'l.txt')).message).toMatch(/normalised/);
  });
});

describe('formats', () => {
  it('COCO results and VOC form give the same boxes', () => {
    const gt = parseCocoGroundTruth(gtText, 'gt.json');
    const coco = parseDetections(JSON.stringify([{ image_id: 7, category_id: 3, bbox: [1, 2, 10, 20], score: 0.5 }]), 'c', gt);
    const voc = parseDetections(JSON.stringify([{ image_id: '7', category: 'cat', bbox: [1, 2, 11, 22], score: 0.5 }]), 'v', gt);
    expect(Array.from(coco.xyxy)).toEqual(Array.from(voc.xyxy));
    expect(Array.from(coco.xywh)).toEqual(Array.from(voc.xywh));
  });
  it('image sizes from PNG and JPEG headers', () => {
    const png = new Uint8Array(24);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0x2c, 0, 0, 0, 0xc8]);
    expect(imageSizeFromBytes(png)).toEqual({ width: 300, height: 200, format: 'png' });
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0x01, 0xe0, 0x02, 0x80, 3, 0, 0, 0, 0]);
    expect(imageSizeFromBytes(jpeg)).toEqual({ width: 640, height: 480, format: 'jpeg' });
  });
  it('a YOLO folder with images and labels', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'yolo-'));
    mkdirSync(path.join(root, 'images', 'val'), { recursive: true });
    mkdirSync(path.join(root, 'labels', 'val'), { recursive: true });
    const png = new Uint8Array(24);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 200, 0, 0, 0, 100]);
    writeFileSync(path.join(root, 'images', 'val', 'a.png'), png);
    writeFileSync(path.join(root, 'labels', 'val', 'a.txt'), '1 0.5 0.5 0.5 0.2\n');
    const gt = readGroundTruth(root, { names: ['x', 'y'] });
    expect(gt.images).toEqual([{ id: 'a', fileName: 'a.png', width: 200, height: 100 }]);
    expect(Array.from(gt.xywh)).toEqual([50, 40, 100, 20]);
    expect(gt.categories[gt.category[0]].name).toBe('y');
  });
});

describe.skipIf(!hasEvalReal)('shared data sets', () => {
  it('coco128 YOLO folder (with COCO ids) = coco128_gt.json up to its 3-decimal rounding', () => {
    const yolo = readGroundTruth(path.join(SHARED, 'datasets', 'coco128'), { cocoIds: true });
    const coco = readGroundTruth(path.join(EVAL_REAL, 'coco128_gt.json'));
    expect(yolo.categories.map((c) => c.name)).toEqual(coco.categories.map((c) => c.name));
    expect(yolo.images.length).toBe(coco.images.length);
    expect(yolo.count).toBe(coco.count);
    const key = (g: typeof yolo, i: number): string => `${Number(g.images[g.image[i]].id)}/${g.categories[g.category[i]].id}`;
    const sizes = new Map(coco.images.map((im) => [Number(im.id), [im.width, im.height]]));
    for (const im of yolo.images) expect([im.width, im.height]).toEqual(sizes.get(Number(im.id)));
    // same boxes in the same order per image
    for (let i = 0; i < yolo.count; i++) {
      expect(key(yolo, i)).toBe(key(coco, i));
      for (let c = 0; c < 4; c++) expect(Math.abs(yolo.xywh[i * 4 + c] - coco.xywh[i * 4 + c])).toBeLessThan(6e-4);
    }
    expect(readImageSize(path.join(SHARED, 'datasets', 'coco128', 'images', 'train2017', '000000000009.jpg'))).toMatchObject({ width: 640, height: 480 });
  });
  it('VOC folder: 100 images, 273 objects, 38 difficult', () => {
    const gt = readGroundTruth(path.join(SHARED, 'datasets', 'voc2012-rp100'));
    expect(gt.images.length).toBe(100);
    expect(gt.count).toBe(273);
    expect(gt.difficult.reduce((s, v) => s + v, 0)).toBe(38);
    expect(gt.categories.length).toBe(20);
  });
});
