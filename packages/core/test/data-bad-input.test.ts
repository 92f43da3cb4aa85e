import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { clearSplitMemo, createDataLoader, loadDatasetDescription, loadSample, parseDatasetDescription, readSplit } from '../src/data/node.ts';
import { DataError, type VocDescription } from '../src/data/index.ts';
import { FIXTURE_NAMES, fixtureImages, tmpDir, vocXml, writeCoco, writeVoc, writeYolo } from './data-fixtures.ts';

beforeEach(() => clearSplitMemo());

async function vocSet(prefix: string, n = 4) {
  const root = await tmpDir(prefix);
  const imgs = fixtureImages(n);
  await writeVoc(root, { train: imgs });
  const d = parseDatasetDescription({ format: 'voc', names: FIXTURE_NAMES, splits: { train: [{ dir: '.', set: 'train' }] } }, 't', root);
  return { root, imgs, d, xml: (i: number) => path.join(root, 'Annotations', `${imgs[i].id}.xml`), jpg: (i: number) => path.join(root, 'JPEGImages', `${imgs[i].id}.jpg`) };
}

describe('bad input names the file and the problem', () => {
  it('malformed XML', async () => {
    const s = await vocSet('bad-xml');
    await writeFile(s.xml(1), '<annotation><size><width>10</width></annotation>');
    await expect(readSplit(s.d, 'train')).rejects.toThrow(new RegExp(`${s.imgs[1].id}\\.xml: malformed XML`));
  });

  it('unknown class name', async () => {
    const s = await vocSet('bad-class');
    await writeFile(s.xml(2), vocXml(s.imgs[2], ['alpha', 'zebra', 'gamma']).replace(/<name>alpha<\/name>|<name>gamma<\/name>/g, '<name>zebra</name>'));
    await expect(readSplit(s.d, 'train')).rejects.toThrow(/img002\.xml: object 0: unknown class name 'zebra'/);
  });

  it('label outside the image (VOC, YOLO, COCO)', async () => {
    const s = await vocSet('bad-box');
    const big = { ...s.imgs[0], rects: [{ ...s.imgs[0].rects[0], x2: s.imgs[0].width + 20 }] };
    await writeFile(s.xml(0), vocXml(big));
    await expect(readSplit(s.d, 'train')).rejects.toThrow(/img000\.xml: object 0 \(\w+\): label outside the image/);

    const y = await tmpDir('bad-yolo');
    await writeYolo(y, 'train', fixtureImages(2));
    await writeFile(path.join(y, 'labels', 'train', 'img001.txt'), '0 0.9 0.5 0.4 0.2\n');
    const yd = parseDatasetDescription({ format: 'yolo', names: FIXTURE_NAMES, splits: { train: ['images/train'] } }, 't', y);
    await expect(readSplit(yd, 'train')).rejects.toThrow(/img001\.txt: line 1: label outside the image/);

    const c = await tmpDir('bad-coco');
    const imgs = fixtureImages(2);
    imgs[1].rects[0] = { ...imgs[1].rects[0], x2: imgs[1].width + 30 };
    await writeCoco(c, imgs);
    const cd = parseDatasetDescription({ format: 'coco', splits: { train: [{ annotations: 'annotations/instances_train.json', images: 'train' }] } }, 't', c);
    await expect(readSplit(cd, 'train')).rejects.toThrow(/instances_train\.json \(image id 101, img001\.png\): annotation \d+: label outside the image/);
  });

  it('malformed YOLO txt line, unknown class index, malformed COCO json', async () => {
    const y = await tmpDir('bad-txt');
    await writeYolo(y, 'train', fixtureImages(2));
    await writeFile(path.join(y, 'labels', 'train', 'img000.txt'), '0 0.5 0.5 0.1\n');
    const yd = parseDatasetDescription({ format: 'yolo', names: FIXTURE_NAMES, splits: { train: ['images/train'] } }, 't', y);
    await expect(readSplit(yd, 'train')).rejects.toThrow(/img000\.txt: line 1: malformed label/);
    await writeFile(path.join(y, 'labels', 'train', 'img000.txt'), '7 0.5 0.5 0.1 0.1\n');
    clearSplitMemo();
    await expect(readSplit(yd, 'train')).rejects.toThrow(/img000\.txt: line 1: unknown class index 7/);

    const c = await tmpDir('bad-json');
    const file = await writeCoco(c, fixtureImages(1));
    await writeFile(file, '{"images": [');
    const cd = parseDatasetDescription({ format: 'coco', splits: { train: [{ annotations: 'annotations/instances_train.json', images: 'train' }] } }, 't', c);
    await expect(readSplit(cd, 'train')).rejects.toThrow(/instances_train\.json: malformed JSON/);
  });

  it('empty split, missing folder, missing description root, unknown split', async () => {
    const s = await vocSet('empty');
    await writeFile(path.join(s.root, 'ImageSets', 'Main', 'val.txt'), '\n');
    const d: VocDescription = { ...(s.d as VocDescription), splits: { ...s.d.splits, val: [{ dir: '.', set: 'val' }] } };
    await expect(readSplit(d, 'val')).rejects.toThrow(/split 'val' is empty/);
    await expect(readSplit(d, 'test')).rejects.toThrow(/unknown split 'test'/);
    await rm(path.join(s.root, 'JPEGImages'), { recursive: true });
    await expect(readSplit(s.d, 'train')).rejects.toThrow(/JPEGImages: missing folder/);
    const y = await tmpDir('missing');
    const yd = parseDatasetDescription({ format: 'yolo', names: FIXTURE_NAMES, splits: { train: ['images/train'] } }, 't', y);
    await expect(readSplit(yd, 'train')).rejects.toThrow(/images[/\\]train: missing folder or image list/);
    await writeFile(path.join(y, 'd.yaml'), 'format: voc\nroot: nowhere\nnames: [a]\nsplits: {train: [{dir: ., set: train}]}\n');
    await expect(loadDatasetDescription(path.join(y, 'd.yaml'))).rejects.toThrow(/d\.yaml: data-set root folder .*nowhere does not exist/);
    await writeFile(path.join(y, 'e.yaml'), 'format: voc\nnames: a\n');
    await expect(loadDatasetDescription(path.join(y, 'e.yaml'))).rejects.toThrow(/e\.yaml: invalid data-set description: names: /);
  });

  it('undecodable image: loadSample throws a DataError naming it', async () => {
    const s = await vocSet('bad-jpg');
    await writeFile(s.jpg(1), 'not a jpeg at all');
    const err = await loadSample(s.d, 'train', 1, { img: 64, augment: false }, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).file).toBe(s.jpg(1));
    expect((err as DataError).message).toMatch(/img001\.jpg: image does not decode/);
  });
});

describe("badSamples: 'skip' counts and lists", () => {
  it('skips bad labels at read time and undecodable images at load time', async () => {
    const s = await vocSet('skip', 6);
    await writeFile(s.xml(0), '<annotation>oops');
    await writeFile(s.jpg(3), 'garbage');
    await expect(createDataLoader({ description: s.d, split: 'train', batchSize: 2, img: 64, augment: false })).rejects.toThrow(/img000\.xml: malformed XML.*/);
    clearSplitMemo();
    const dl = await createDataLoader({ description: s.d, split: 'train', batchSize: 2, img: 64, augment: false, badSamples: 'skip' });
    expect(dl.size).toBe(5);
    const seen: string[] = [];
    for await (const b of dl.epoch(0)) seen.push(...b.paths.map((p) => path.basename(p)));
    expect(seen).toEqual(['img001.jpg', 'img002.jpg', 'img004.jpg', 'img005.jpg']);
    expect(dl.badSamples.map((b) => path.basename(b.file))).toEqual(['img000.xml', 'img003.jpg']);
    expect(dl.badSamples[1].problem).toMatch(/does not decode/);
    // with mosaic a bad partner image is replaced and reported, the sample survives
    const aug = await createDataLoader({ description: s.d, split: 'train', batchSize: 5, img: 64, augment: true, badSamples: 'skip', seed: 3 });
    let n = 0;
    for (let e = 0; e < 3; e++) for await (const b of aug.epoch(e)) n += b.shape[0];
    expect(n).toBe(3 * 4);
    expect(aug.badSamples.every((b) => /img00[03]/.test(b.file))).toBe(true);
  });

  it("with 'stop' a load-time failure ends the epoch with the file's error", async () => {
    const s = await vocSet('stop', 4);
    await writeFile(s.jpg(2), 'garbage');
    await mkdir(path.join(s.root, 'x'), { recursive: true });
    const dl = await createDataLoader({ description: s.d, split: 'train', batchSize: 2, img: 64, augment: false });
    const run = async () => {
      for await (const _ of dl.epoch(0));
    };
    await expect(run()).rejects.toThrow(/img002\.jpg: image does not decode/);
  });
});
