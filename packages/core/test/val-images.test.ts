/**
 * Validation images for the dashboard: boxes mapped from the letterboxed network input back to the
 * original image (ground truth and detections), and train() writing `val-images.json` with small
 * JPEG copies after each evaluation.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunConfig } from '../src/config/run-config.ts';
import { DEMO_CLASS_NAMES } from '../src/data/demo/classes.ts';
import { ensureDemoDataset } from '../src/data/demo/generate.ts';
import { createDataLoader, parseDatasetDescription } from '../src/data/node.ts';
import type { Batch } from '../src/data/types.ts';
import { train } from '../src/train/train.ts';
import { collectValImages, type Box } from '../src/train/val-images.ts';
import { VAL_IMAGES_MANIFEST, writeValImages, type ValImagesManifest } from '../src/train/val-images-file.ts';
import { FIXTURE_NAMES, fixtureImages, tmpDir, writeYolo, type FixtureImage } from './data-fixtures.ts';

let dir: string;
const images: FixtureImage[] = fixtureImages(7);

beforeAll(async () => {
  dir = await tmpDir('val-images');
  await writeYolo(dir, 'val', images);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Detections exactly at the batch's targets (input pixels), score 0.9, plus one weak one per image. */
function perfectDetections(batch: Batch): Float32Array[] {
  const [b, h, w] = batch.shape;
  const rows: number[][] = Array.from({ length: b }, () => []);
  for (let t = 0; t < batch.nTargets; t++) {
    const [i, cls, cx, cy, bw, bh] = batch.targets.subarray(t * 6, t * 6 + 6);
    rows[i].push((cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w, (cy + bh / 2) * h, 0.9, cls);
  }
  for (const r of rows) r.push(1, 1, 5, 5, 0.1, 0);
  return rows.map((r) => new Float32Array(r));
}

function closeTo(box: Box, expected: number[], tol: number): boolean {
  return box.every((v, k) => Math.abs(v - expected[k]) <= tol);
}

describe('collectValImages', () => {
  it('maps targets and detections from letterboxed batches back to the original pixels', async () => {
    const description = parseDatasetDescription({ format: 'yolo', names: FIXTURE_NAMES, splits: { val: ['images/val'] } }, 't', dir);
    // Two input sizes, rectangular batches: different letterbox ratios and paddings, same original boxes.
    for (const img of [96, 160]) {
      const loader = await createDataLoader({ description, split: 'val', batchSize: 3, img, augment: false, rect: true });
      const seen = new Set<number>();
      for await (const batch of loader.epoch(0)) {
        expect(batch.meta.some((m) => m.pad[0] > 0 || m.pad[1] > 0)).toBe(true);
        const samples = collectValImages(batch, perfectDetections(batch), 8);
        expect(samples).toHaveLength(batch.shape[0]);
        for (const s of samples) {
          seen.add(s.index);
          const truth = images.find((f) => s.path.endsWith(`${f.id}.png`))!;
          expect([s.width, s.height]).toEqual([truth.width, truth.height]);
          const expected = truth.rects.map((r) => [r.x1, r.y1, r.x2, r.y2]);
          // One input pixel is several original pixels at 96: the labels are float32 in input units.
          const tol = 0.01 * Math.max(truth.width, truth.height);
          expect(s.gt.map((g) => g.cls)).toEqual(truth.rects.map((r) => r.cls));
          s.gt.forEach((g, k) => expect(closeTo(g.box, expected[k], tol)).toBe(true));
          // The weak detection (score 0.1 < 0.25) is dropped; the rest match the ground truth.
          expect(s.pred).toHaveLength(truth.rects.length);
          for (const p of s.pred) {
            expect(p.score).toBeCloseTo(0.9, 6);
            expect(expected.some((e) => closeTo(p.box, e, tol))).toBe(true);
          }
        }
      }
      expect(seen.size).toBe(images.length);
    }
  });

  it('keeps only the room left, and clips boxes to the image', () => {
    const batch: Batch = {
      images: new Float32Array(2 * 64 * 64 * 3),
      shape: [2, 64, 64],
      // image 0: a target hanging over the left/top padding
      targets: new Float32Array([0, 1, 0.1, 0.3, 0.4, 0.2]),
      nTargets: 1,
      ignored: new Float32Array(0),
      nIgnored: 0,
      paths: ['/a.jpg', '/b.jpg'],
      // 200x100 image letterboxed into 64x64: ratio 0.32, 16 px of padding above and below
      meta: [0, 1].map(() => ({ originalWidth: 200, originalHeight: 100, ratio: [0.32, 0.32] as [number, number], pad: [0, 16] as [number, number], mosaic: false })),
      indices: [4, 9],
    };
    const [only, ...rest] = collectValImages(batch, [null, null], 1);
    expect(rest).toHaveLength(0);
    expect(only).toMatchObject({ path: '/a.jpg', index: 4, width: 200, height: 100, pred: [] });
    // input box x −6.4…19.2, y 12.8…25.6 → original x 0 (clipped)…60, y 0 (clipped)…30
    expect(only.gt[0].cls).toBe(1);
    expect(closeTo(only.gt[0].box, [0, 0, 60, 30], 1e-4)).toBe(true);
  });
});

describe('val-images.json', () => {
  it('writes small JPEG copies and a manifest with boxes in their pixels, atomically replaced', async () => {
    const runDir = path.join(dir, 'run-write');
    const big = images[0];
    const sample = { path: path.join(dir, 'images', 'val', `${big.id}.png`), index: 0, width: big.width, height: big.height, gt: [{ cls: 2, box: [10, 20, 30, 40] as Box }], pred: [{ cls: 1, score: 0.5, box: [0, 0, big.width, big.height] as Box }] };
    await writeValImages(runDir, [sample], { epoch: 3, names: FIXTURE_NAMES });
    const manifest = JSON.parse(await readFile(path.join(runDir, VAL_IMAGES_MANIFEST), 'utf8')) as ValImagesManifest;
    expect(manifest).toMatchObject({ epoch: 3, names: FIXTURE_NAMES });
    const [entry] = manifest.images;
    const meta = await sharp(path.join(runDir, entry.file)).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([entry.width, entry.height]);
    expect(entry.pred[0].box).toEqual([0, 0, entry.width, entry.height]);
    expect(entry.gt[0]).toEqual({ cls: 2, box: [10, 20, 30, 40] });
    // A bigger image is scaled down to a 512 px long side, boxes with it.
    const large = { ...sample, width: 2048, height: 1024, gt: [{ cls: 0, box: [1024, 512, 2048, 1024] as Box }] };
    await writeValImages(path.join(dir, 'run-large'), [large], { epoch: 0, names: [] });
    const scaled = JSON.parse(await readFile(path.join(dir, 'run-large', VAL_IMAGES_MANIFEST), 'utf8')) as ValImagesManifest;
    expect(scaled.images[0]).toMatchObject({ width: 512, height: 256, gt: [{ cls: 0, box: [256, 128, 512, 256] }] });
  });

  it('train() writes it after each evaluation, with the data set class names', async () => {
    await ensureDemoDataset(path.join(dir, 'demo'), { train: 4, val: 3, test: 0, imageSize: 64, maxObjects: 3, seed: 5 });
    const runDir = path.join(dir, 'train-run');
    const manifests: number[] = [];
    const config = parseRunConfig({ model: 'tiny-fixture', data: path.join(dir, 'demo', 'dataset.yaml'), img: 64, batch: 4, epochs: 2, backend: 'cpu', workers: 1, seed: 1 });
    const result = await train(config, {
      runDir,
      modelFactory: {
        module: new URL('./fixtures/tiny-detector.ts', import.meta.url).href,
        export: 'createTinyDetector',
        args: { seed: 5, nc: DEMO_CLASS_NAMES.length, width: 8 },
      },
      // The manifest of epoch N exists when epoch N is reported.
      onEpoch: async (m) => {
        const manifest = JSON.parse(await readFile(path.join(runDir, VAL_IMAGES_MANIFEST), 'utf8')) as ValImagesManifest;
        if (manifest.epoch === m.epoch) manifests.push(m.epoch);
      },
    });
    expect(result.status).toBe('done');
    expect(manifests).toEqual([0, 1]);
    const manifest = JSON.parse(await readFile(path.join(runDir, VAL_IMAGES_MANIFEST), 'utf8')) as ValImagesManifest;
    expect(manifest.names).toEqual(DEMO_CLASS_NAMES);
    expect(manifest.images).toHaveLength(3);
    for (const image of manifest.images) {
      expect(existsSync(path.join(runDir, image.file))).toBe(true);
      expect(image.gt.length).toBeGreaterThan(0);
      for (const b of [...image.gt, ...image.pred]) {
        expect(b.box[0]).toBeGreaterThanOrEqual(0);
        expect(b.box[2]).toBeLessThanOrEqual(image.width);
        expect(b.box[3]).toBeLessThanOrEqual(image.height);
        expect(b.cls).toBeLessThan(DEMO_CLASS_NAMES.length);
      }
      for (const p of image.pred) expect(p.score).toBeGreaterThanOrEqual(0.25);
    }
  }, 120_000);
});
