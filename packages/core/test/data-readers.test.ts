import { chmod, readdir, readFile, writeFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  clearSplitMemo,
  cocoNames,
  loadDatasetDescription,
  parseDatasetDescription,
  readCocoJson,
  readSplit,
  readSplitUncached,
  yoloLabelPath,
} from '../src/data/node.ts';
import type { CocoDescription, DatasetDescription, ImageRecord, VocDescription } from '../src/data/index.ts';
import { FIXTURE_NAMES, SHARED_DATASETS, fixtureImages, hasShared, tmpDir, writeCoco, writeVoc, writeYolo, type FixtureImage } from './data-fixtures.ts';

beforeEach(() => clearSplitMemo());

/** Pixel-edge boxes of a record, for comparison with the fixture rectangles. */
function pixelBoxes(r: ImageRecord, rows = r.labels) {
  const out: number[][] = [];
  for (let i = 0; i < rows.length; i += 5) {
    const [c, cx, cy, w, h] = rows.slice(i, i + 5);
    out.push([c, (cx - w / 2) * r.width, (cy - h / 2) * r.height, (cx + w / 2) * r.width, (cy + h / 2) * r.height]);
  }
  return out;
}

function expectBoxesNear(got: number[][], img: FixtureImage, tol: number) {
  expect(got.length).toBe(img.rects.length);
  img.rects.forEach((r, k) => {
    expect(got[k][0]).toBe(r.cls);
    [r.x1, r.y1, r.x2, r.y2].forEach((v, j) => expect(Math.abs(got[k][j + 1] - v)).toBeLessThanOrEqual(tol));
  });
}

describe('VOC reader', () => {
  it('reads several VOC roots per split (07+12 style) with difficult objects set aside', async () => {
    const root = await tmpDir('voc');
    const a = fixtureImages(6);
    const b = fixtureImages(9).slice(6);
    await writeVoc(path.join(root, 'VOC2007'), { trainval: a.slice(0, 4), test: a.slice(4) }, (k) => k === 1);
    await writeVoc(path.join(root, 'VOC2012'), { trainval: b });
    const d = parseDatasetDescription(
      {
        format: 'voc',
        root: '.',
        names: FIXTURE_NAMES,
        splits: { train: [{ dir: 'VOC2007', set: 'trainval' }, 'VOC2012/ImageSets/Main/trainval.txt'], val: [{ dir: 'VOC2007', set: 'test' }] },
      },
      'test',
      root,
    );
    const train = await readSplit(d, 'train', { cacheDir: path.join(root, 'cache') });
    expect(train.images.map((r) => path.basename(r.file))).toEqual([...a.slice(0, 4), ...b].map((i) => `${i.id}.jpg`));
    for (const [k, img] of [...a.slice(0, 4), ...b].entries()) {
      const rec = train.images[k];
      const isA = k < 4;
      const kept = img.rects.filter((_, j) => !(isA && j === 1));
      const hard = img.rects.filter((_, j) => isA && j === 1);
      // upstream voc_label.py: centre -1 px, width xmax - xmin: within 1 px of the true edges
      expectBoxesNear(pixelBoxes(rec), { ...img, rects: kept }, 1 + 1e-9);
      expectBoxesNear(pixelBoxes(rec, rec.ignored), { ...img, rects: hard }, 1 + 1e-9);
    }
    const val = await readSplit(d, 'val', { cacheDir: path.join(root, 'cache') });
    expect(val.images).toHaveLength(2);
    const withDifficult = await readSplitUncached({ ...(d as VocDescription), keepDifficult: true }, 'train', { cacheDir: path.join(root, 'cache') });
    expect(withDifficult.images.reduce((n, r) => n + r.labels.length / 5, 0)).toBe([...a.slice(0, 4), ...b].reduce((n, i) => n + i.rects.length, 0));
  });

  it('caches labels: the second read parses no XML, a touched file invalidates', async () => {
    const root = await tmpDir('voc-cache');
    const imgs = fixtureImages(5);
    await writeVoc(root, { train: imgs });
    const d = parseDatasetDescription({ format: 'voc', names: FIXTURE_NAMES, splits: { train: [{ dir: '.', set: 'train' }] } }, 't', root);
    const first = await readSplitUncached(d, 'train');
    expect(first.fromCache).toBe(false);
    expect((await readdir(root)).some((f) => f.includes('labels-cache'))).toBe(true); // next to the labels
    const second = await readSplitUncached(d, 'train');
    expect(second.fromCache).toBe(true);
    expect(second.images).toEqual(first.images);
    // change one annotation (and its mtime): the cache must not be used
    const xml = path.join(root, 'Annotations', `${imgs[0].id}.xml`);
    await writeFile(xml, (await readFile(xml, 'utf8')).replace('<name>alpha</name>', '<name>gamma</name>').replace('<name>beta</name>', '<name>gamma</name>'));
    const later = new Date(Date.now() + 5000);
    await utimes(xml, later, later);
    const third = await readSplitUncached(d, 'train');
    expect(third.fromCache).toBe(false);
    expect(third.images[0].labels[0]).toBe(2);
  });

  it('never writes into a read-only data-set folder (even as root): the cache falls back to the temp folder', async () => {
    const root = await tmpDir('voc-ro');
    await writeVoc(root, { train: fixtureImages(3) });
    await chmod(root, 0o555);
    try {
      const d = parseDatasetDescription({ format: 'voc', names: FIXTURE_NAMES, splits: { train: [{ dir: '.', set: 'train' }] } }, 't', root);
      expect((await readSplitUncached(d, 'train')).fromCache).toBe(false);
      expect((await readSplitUncached(d, 'train')).fromCache).toBe(true);
      expect((await readdir(root)).some((f) => f.includes('cache'))).toBe(false);
    } finally {
      await chmod(root, 0o755);
    }
  });
});

describe('COCO reader', () => {
  it('maps sparse category ids by name, keeps crowd boxes aside, pixel boxes exact', async () => {
    const root = await tmpDir('coco');
    const imgs = fixtureImages(6);
    await writeCoco(root, imgs, (i, k) => i === 2 && k === 0);
    const d = parseDatasetDescription(
      { format: 'coco', splits: { train: [{ annotations: 'annotations/instances_train.json', images: 'train' }] } },
      't',
      root,
    );
    const s = await readSplit(d, 'train', { cacheDir: path.join(root, 'cache') });
    expect(s.names).toEqual(FIXTURE_NAMES); // categories sorted by id
    s.images.forEach((rec, i) => {
      const crowd = i === 2 ? [imgs[i].rects[0]] : [];
      expectBoxesNear(pixelBoxes(rec), { ...imgs[i], rects: imgs[i].rects.filter((r) => !crowd.includes(r)) }, 1e-6);
      expectBoxesNear(pixelBoxes(rec, rec.ignored), { ...imgs[i], rects: crowd }, 1e-6);
    });
    // names given in another order re-map the classes
    const reordered = await readSplitUncached({ ...(d as CocoDescription), names: [...FIXTURE_NAMES].reverse() }, 'train', { cacheDir: path.join(root, 'cache') });
    expect(reordered.images[0].labels[0]).toBe(2 - s.images[0].labels[0]);
  });
});

describe('YOLO reader', () => {
  it('reads images/ + labels/ through an Ultralytics data YAML (train/val/nc/names)', async () => {
    const root = await tmpDir('yolo');
    const imgs = fixtureImages(7);
    await writeYolo(root, 'train', imgs.slice(0, 5));
    await writeYolo(root, 'val', imgs.slice(5));
    await writeFile(path.join(root, 'data.yaml'), `train: images/train\nval: [images/val]\nnc: 3\nnames: [${FIXTURE_NAMES.join(', ')}]\n`);
    const d = await loadDatasetDescription(path.join(root, 'data.yaml'));
    expect(d.format).toBe('yolo');
    const train = await readSplit(d, 'train', { cacheDir: path.join(root, 'cache') });
    expect(train.images.map((r) => [r.width, r.height])).toEqual(imgs.slice(0, 5).map((i) => [i.width, i.height]));
    train.images.forEach((rec, i) => expectBoxesNear(pixelBoxes(rec), imgs[i], 1e-3));
    expect((await readSplit(d, 'val', { cacheDir: path.join(root, 'cache') })).images).toHaveLength(2);
    expect(yoloLabelPath('/a/images/b/images/c.jpg')).toBe('/a/images/b/labels/c.txt');
  });

  it('rejects a data YAML whose nc disagrees with names', async () => {
    const root = await tmpDir('yolo-nc');
    await writeFile(path.join(root, 'd.yaml'), 'train: images\nnc: 4\nnames: [a, b]\n');
    await expect(loadDatasetDescription(path.join(root, 'd.yaml'))).rejects.toThrow(/d\.yaml: nc is 4 but names lists 2/);
  });
});

const VOC_NAMES = 'aeroplane bicycle bird boat bottle bus car cat chair cow diningtable dog horse motorbike person pottedplant sheep sofa train tvmonitor'.split(' ');

describe.skipIf(!hasShared('voc2012-rp100'))('shared voc2012-rp100', () => {
  it('matches an independent count of objects and difficult flags in the XML', async () => {
    const root = path.join(SHARED_DATASETS, 'voc2012-rp100');
    const cacheDir = await tmpDir('rp100-cache');
    const d: DatasetDescription = parseDatasetDescription({ format: 'voc', root, names: VOC_NAMES, splits: { all: ['ImageSets/Main/all.txt'] } }, 't', '/');
    const s = await readSplit(d, 'all', { cacheDir });
    const ids = (await readFile(path.join(root, 'ImageSets/Main/all.txt'), 'utf8')).split('\n').filter(Boolean);
    expect(s.images).toHaveLength(ids.length);
    let objects = 0;
    let hard = 0;
    for (const id of ids) {
      const xml = await readFile(path.join(root, 'Annotations', `${id}.xml`), 'utf8');
      objects += (xml.match(/<object>/g) ?? []).length;
      hard += (xml.match(/<difficult>1<\/difficult>/g) ?? []).length;
    }
    expect(s.images.reduce((n, r) => n + r.labels.length / 5, 0)).toBe(objects - hard);
    expect(s.images.reduce((n, r) => n + r.ignored.length / 5, 0)).toBe(hard);
    for (const r of s.images) for (let i = 1; i < r.labels.length; i += 5) expect(r.labels[i]).toBeGreaterThanOrEqual(0);
  });
});

describe.skipIf(!hasShared('coco128') || !hasShared('coco128-instances'))('shared coco128 (YOLO txt) and coco128-instances (COCO json)', () => {
  it('both readers agree box for box on the non-crowd annotations', async () => {
    const cacheDir = await tmpDir('coco128-cache');
    const json = path.join(SHARED_DATASETS, 'coco128-instances/annotations/instances_train2017.json');
    const names = cocoNames(await readCocoJson(json));
    const coco = await readSplit(
      parseDatasetDescription({ format: 'coco', root: path.join(SHARED_DATASETS, 'coco128-instances'), splits: { train: [{ annotations: 'annotations/instances_train2017.json', images: 'train2017' }] } }, 't', '/'),
      'train',
      { cacheDir },
    );
    const yolo = await readSplit(
      parseDatasetDescription({ format: 'yolo', root: path.join(SHARED_DATASETS, 'coco128'), names, splits: { train: ['images/train2017'] } }, 't', '/'),
      'train',
      { cacheDir },
    );
    expect(coco.names).toEqual(names);
    const byName = new Map(yolo.images.map((r) => [path.basename(r.file), r]));
    expect(byName.size).toBe(coco.images.length);
    let compared = 0;
    for (const c of coco.images) {
      const y = byName.get(path.basename(c.file))!;
      expect([y.width, y.height]).toEqual([c.width, c.height]);
      const sort = (a: number[]) => Array.from({ length: a.length / 5 }, (_, i) => a.slice(i * 5, i * 5 + 5)).sort((p, q) => p[0] - q[0] || p[1] - q[1] || p[2] - q[2]);
      const [cy, yy] = [sort(c.labels), sort(y.labels)];
      expect(yy.length).toBe(cy.length);
      cy.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - yy[i][j])).toBeLessThan(1e-5)));
      compared += cy.length;
    }
    expect(compared).toBeGreaterThan(0);
  });
});
