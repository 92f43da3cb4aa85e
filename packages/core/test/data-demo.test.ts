import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { clearSplitMemo, ensureDemoDataset, loadDatasetDescription, loadImage, readSplit } from '../src/data/node.ts';
import { DEMO_CLASSES, type DatasetDescription } from '../src/data/index.ts';
import { tmpDir } from './data-fixtures.ts';

const OPTS = { seed: 11, train: 24, val: 8, test: 4, imageSize: 128 };
let dir: string;
let d: DatasetDescription;
beforeAll(async () => {
  clearSplitMemo();
  dir = await tmpDir('demo');
  d = await ensureDemoDataset(dir, OPTS);
});

describe('demo data set', () => {
  it('is a VOC folder with train/val/test lists and a loadable description', async () => {
    expect(d.format).toBe('voc');
    expect(d.names).toEqual(DEMO_CLASSES.map((c) => c.name));
    for (const [split, n] of [['train', 24], ['val', 8], ['test', 4]] as const) {
      const s = await readSplit(d, split, { cacheDir: path.join(dir, 'cache') });
      expect(s.images).toHaveLength(n);
      expect(s.images.every((r) => r.width === 128 && r.height === 128)).toBe(true);
    }
    const fromFile = await loadDatasetDescription(path.join(dir, 'dataset.yaml'));
    expect(fromFile).toEqual(d);
  });

  it('has varied classes, counts and scales, and each box holds its class colour', async () => {
    const s = await readSplit(d, 'train', { cacheDir: path.join(dir, 'cache') });
    const classes = new Set<number>();
    const counts = new Set<number>();
    const widths: number[] = [];
    let checked = 0;
    let correct = 0;
    for (const rec of s.images) {
      counts.add(rec.labels.length / 5);
      const { image } = await loadImage(rec.file, undefined);
      for (let i = 0; i < rec.labels.length; i += 5) {
        const [cls, cx, cy, w] = rec.labels.slice(i, i + 4);
        classes.add(cls);
        widths.push(w);
        if (DEMO_CLASSES[cls].name.includes('ring')) continue; // hollow centre
        const x = Math.min(127, Math.round(cx * 128 + 0.5));
        const y = Math.min(127, Math.round(cy * 128 + 0.5));
        const px = Array.from(image.data.subarray((y * 128 + x) * 3, (y * 128 + x) * 3 + 3));
        const dist = DEMO_CLASSES.map((c) => Math.hypot(...c.rgb.map((v, k) => v - px[k])));
        checked++;
        if (dist.indexOf(Math.min(...dist)) === cls) correct++;
      }
    }
    expect(classes.size).toBeGreaterThanOrEqual(6);
    expect(counts.size).toBeGreaterThanOrEqual(3);
    expect(Math.max(...widths) / Math.min(...widths)).toBeGreaterThan(3);
    expect(checked).toBeGreaterThan(20);
    expect(correct / checked).toBeGreaterThan(0.8); // occlusion can cover a few centres
  });

  it('is deterministic from the seed and idempotent (marker file)', async () => {
    const jpg = path.join(dir, 'JPEGImages', 'train_000003.jpg');
    const before = (await stat(jpg)).mtimeMs;
    await ensureDemoDataset(dir, OPTS);
    expect((await stat(jpg)).mtimeMs).toBe(before); // nothing rewritten
    const other = await tmpDir('demo2');
    await ensureDemoDataset(other, { ...OPTS, train: 5, val: 1, test: 0 });
    for (const f of ['JPEGImages/train_000003.jpg', 'Annotations/train_000003.xml']) {
      expect((await readFile(path.join(other, f))).equals(await readFile(path.join(dir, f)))).toBe(true);
    }
    await ensureDemoDataset(other, { ...OPTS, seed: 12, train: 5, val: 1, test: 0 });
    expect((await readFile(path.join(other, 'JPEGImages/train_000003.jpg'))).equals(await readFile(path.join(dir, 'JPEGImages/train_000003.jpg')))).toBe(false);
  });
});
