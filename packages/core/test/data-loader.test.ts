import { beforeAll, describe, expect, it } from 'vitest';
import { clearSplitMemo, createDataLoader, parseDatasetDescription, readSplit } from '../src/data/node.ts';
import { DataLoader, collate, type DatasetDescription, type Sample, type SampleRequest, type SplitIndex } from '../src/data/index.ts';
import { FIXTURE_NAMES, fixtureImages, tmpDir, writeVoc } from './data-fixtures.ts';

let d: DatasetDescription;
let index: SplitIndex;
beforeAll(async () => {
  clearSplitMemo();
  const root = await tmpDir('loader');
  await writeVoc(root, { train: fixtureImages(11) });
  d = parseDatasetDescription({ format: 'voc', names: FIXTURE_NAMES, splits: { train: [{ dir: '.', set: 'train' }] } }, 't', root);
  index = await readSplit(d, 'train');
});

async function collect(dl: DataLoader, epoch: number) {
  const out = [];
  for await (const b of dl.epoch(epoch)) out.push(b);
  return out;
}

describe('DataLoader', () => {
  it('yields contract-3 batches covering the split once per epoch, shuffled per epoch, seeded', async () => {
    const dl = await createDataLoader({ description: d, split: 'train', batchSize: 4, img: 64, augment: true, seed: 7 });
    expect(dl.length).toBe(3);
    const e0 = await collect(dl, 0);
    const e1 = await collect(dl, 1);
    for (const e of [e0, e1]) expect(e.flatMap((b) => b.indices).sort((a, b) => a - b)).toEqual(index.images.map((_, i) => i));
    expect(e0.flatMap((b) => b.indices)).not.toEqual(e1.flatMap((b) => b.indices));
    const b = e0[0];
    expect(b.shape).toEqual([4, 64, 64]);
    expect(b.images.length).toBe(4 * 64 * 64 * 3);
    expect(Math.max(...b.images)).toBeLessThanOrEqual(1);
    expect(b.targets.length).toBe(b.nTargets * 6);
    for (let t = 0; t < b.nTargets; t++) {
      expect(b.targets[t * 6]).toBeGreaterThanOrEqual(0);
      expect(b.targets[t * 6]).toBeLessThan(4);
      for (let k = 2; k < 6; k++) expect(b.targets[t * 6 + k]).toBeGreaterThanOrEqual(0);
    }
    expect(b.paths).toHaveLength(4);
    expect(b.meta).toHaveLength(4);
    const again = await collect(await createDataLoader({ description: d, split: 'train', batchSize: 4, img: 64, augment: true, seed: 7 }), 1);
    expect(again.map((x) => Array.from(x.targets))).toEqual(e1.map((x) => Array.from(x.targets)));
    expect(Buffer.from(again[2].images.buffer).equals(Buffer.from(e1[2].images.buffer))).toBe(true);
  });

  it('evaluation uses rectangular batches in aspect-ratio order, without shuffling', async () => {
    const dl = await createDataLoader({ description: d, split: 'train', batchSize: 3, img: 96, augment: false, rect: true });
    const batches = await collect(dl, 0);
    const ar = batches.flatMap((b) => b.indices).map((i) => index.images[i].height / index.images[i].width);
    expect(ar).toEqual([...ar].sort((a, b) => a - b));
    for (const b of batches) {
      expect(b.shape[1] % 32).toBe(0);
      expect(b.shape[2] % 32).toBe(0);
    }
    expect(new Set(batches.map((b) => `${b.shape[1]}x${b.shape[2]}`)).size).toBeGreaterThan(1);
    expect(batches.flatMap((b) => b.indices)).toEqual((await collect(dl, 5)).flatMap((b) => b.indices));
  });

  it('prefetches a bounded window from an injected sample source', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const requests: SampleRequest[] = [];
    const fake = async (r: SampleRequest): Promise<Sample> => {
      requests.push(r);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((res) => setTimeout(res, 2));
      inFlight--;
      return { image: new Uint8Array(8 * 8 * 3), width: 8, height: 8, labels: new Float32Array([0, 0.5, 0.5, 0.1, 0.1]), ignored: new Float32Array(), path: `p${r.index}`, meta: { originalWidth: 8, originalHeight: 8, ratio: [1, 1], pad: [0, 0], mosaic: false } };
    };
    const big: SplitIndex = { ...index, images: Array.from({ length: 40 }, () => index.images[0]) };
    const dl = new DataLoader({ description: d, index: big, split: 'train', source: fake, batchSize: 4, img: 8, augment: false, prefetch: 2 });
    let batches = 0;
    for await (const b of dl.epoch(0)) {
      batches++;
      expect(b.nTargets).toBe(b.shape[0]);
      await new Promise((res) => setTimeout(res, 10)); // a slow consumer: the window fills up
    }
    expect(batches).toBe(10);
    expect(requests).toHaveLength(40);
    expect(maxInFlight).toBeGreaterThan(4); // more than one batch was being loaded ahead
    expect(maxInFlight).toBeLessThanOrEqual(3 * 4); // never more than prefetch + 1 batches
    expect(new Set(requests.map((r) => r.seed)).size).toBe(40); // one seed per sample
  });

  it('collate rejects samples of different sizes, naming the file', () => {
    const s = (w: number, p: string): Sample => ({ image: new Uint8Array(w * 4 * 3), width: w, height: 4, labels: new Float32Array(), ignored: new Float32Array(), path: p, meta: { originalWidth: w, originalHeight: 4, ratio: [1, 1], pad: [0, 0], mosaic: false } });
    expect(() => collate([s(4, 'a.jpg'), s(8, 'b.jpg')], [0, 1])).toThrow(/b\.jpg is 8x4 but the batch is 4x4/);
  });
});
