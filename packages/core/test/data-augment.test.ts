import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { clearSplitMemo, loadSample, parseDatasetDescription, readSplit } from '../src/data/node.ts';
import {
  applyHsvGains,
  boxCandidate,
  filledImage,
  letterbox,
  rectBatches,
  warpAffine,
  Rng,
  type DatasetDescription,
  type Sample,
} from '../src/data/index.ts';
import { FIXTURE_NAMES, fixtureImages, tmpDir, writeYolo } from './data-fixtures.ts';

let d: DatasetDescription;
beforeAll(async () => {
  clearSplitMemo();
  const root = await tmpDir('aug');
  await writeYolo(root, 'train', fixtureImages(8)); // lossless PNGs: white rectangles on black
  d = parseDatasetDescription({ format: 'yolo', names: FIXTURE_NAMES, splits: { train: ['images/train'] } }, 't', root);
});

const BRIGHT = 170;
const bright = (s: Sample, x: number, y: number) => {
  const o = (y * s.width + x) * 3;
  return s.image[o] > BRIGHT && s.image[o + 1] > BRIGHT && s.image[o + 2] > BRIGHT;
};

function pixelBoxes(s: Sample): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < s.labels.length; i += 5) {
    const [, cx, cy, w, h] = s.labels.slice(i, i + 5);
    out.push([(cx - w / 2) * s.width, (cy - h / 2) * s.height, (cx + w / 2) * s.width, (cy + h / 2) * s.height]);
  }
  return out;
}

/**
 * Each label encloses its rectangle tightly (the bright pixels near the box span it to within `tol`),
 * and nearly no bright pixel lies outside every label (only remnants of boxes upstream filtering drops).
 */
function expectLabelsMatchPixels(s: Sample, tol: number) {
  const boxes = pixelBoxes(s);
  for (const [x1, y1, x2, y2] of boxes) {
    let [bx1, by1, bx2, by2] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let y = Math.max(0, Math.floor(y1 - tol)); y < Math.min(s.height, Math.ceil(y2 + tol)); y++) {
      for (let x = Math.max(0, Math.floor(x1 - tol)); x < Math.min(s.width, Math.ceil(x2 + tol)); x++) {
        if (!bright(s, x, y)) continue;
        bx1 = Math.min(bx1, x);
        by1 = Math.min(by1, y);
        bx2 = Math.max(bx2, x + 1);
        by2 = Math.max(by2, y + 1);
      }
    }
    expect(Math.abs(bx1 - x1)).toBeLessThanOrEqual(tol);
    expect(Math.abs(by1 - y1)).toBeLessThanOrEqual(tol);
    expect(Math.abs(bx2 - x2)).toBeLessThanOrEqual(tol);
    expect(Math.abs(by2 - y2)).toBeLessThanOrEqual(tol);
  }
  let outside = 0;
  for (let y = 0; y < s.height; y++) {
    for (let x = 0; x < s.width; x++) {
      if (bright(s, x, y) && !boxes.some(([x1, y1, x2, y2]) => x >= x1 - tol && x < x2 + tol && y >= y1 - tol && y < y2 + tol)) outside++;
    }
  }
  expect(outside / (s.width * s.height)).toBeLessThan(0.01);
}

describe('augmentation keeps boxes on their objects', () => {
  const hyp = { hsv_v: 0.2, degrees: 8, translate: 0.1, shear: 3 };
  it('mosaic + random affine + HSV + flip', async () => {
    let labels = 0;
    for (let seed = 0; seed < 12; seed++) {
      const s = await loadSample(d, 'train', seed % 8, { img: 128, augment: true, hyp: { ...hyp, mosaic: 1 } }, seed);
      expect([s.width, s.height, s.meta.mosaic]).toEqual([128, 128, true]);
      expectLabelsMatchPixels(s, 2.5);
      labels += s.labels.length / 5;
    }
    expect(labels).toBeGreaterThan(12); // the check above did look at boxes
  });

  it('letterbox + random affine without mosaic', async () => {
    for (let seed = 0; seed < 8; seed++) {
      const s = await loadSample(d, 'train', seed, { img: 128, augment: true, hyp: { ...hyp, mosaic: 0 } }, seed);
      expect(s.meta.mosaic).toBe(false);
      expectLabelsMatchPixels(s, 2.5);
    }
  });

  it('evaluation letterbox: labels on the pixels, and meta maps them back to the file', async () => {
    const idx = await readSplit(d, 'train');
    for (let i = 0; i < 8; i++) {
      const s = await loadSample(d, 'train', i, { img: 160, augment: false, shape: [128, 160] }, 0);
      expect([s.height, s.width]).toEqual([128, 160]);
      expectLabelsMatchPixels(s, 1.5);
      const rec = idx.images[i];
      const boxes = pixelBoxes(s);
      boxes.forEach(([x1, y1, x2, y2], k) => {
        const [, cx, cy, w, h] = rec.labels.slice(k * 5, k * 5 + 5);
        const back = [(x1 - s.meta.pad[0]) / s.meta.ratio[0], (y1 - s.meta.pad[1]) / s.meta.ratio[1], (x2 - s.meta.pad[0]) / s.meta.ratio[0], (y2 - s.meta.pad[1]) / s.meta.ratio[1]];
        const orig = [(cx - w / 2) * rec.width, (cy - h / 2) * rec.height, (cx + w / 2) * rec.width, (cy + h / 2) * rec.height];
        back.forEach((v, j) => expect(v).toBeCloseTo(orig[j], 2));
      });
    }
  });
});

describe('determinism', () => {
  it('a sample is a function of its seed', async () => {
    const a = await loadSample(d, 'train', 3, { img: 96, augment: true }, 42);
    const b = await loadSample(d, 'train', 3, { img: 96, augment: true }, 42);
    const c = await loadSample(d, 'train', 3, { img: 96, augment: true }, 43);
    expect(Buffer.from(a.image).equals(Buffer.from(b.image))).toBe(true);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Buffer.from(a.image).equals(Buffer.from(c.image))).toBe(false);
  });
});

describe('letterbox', () => {
  it('keeps the ratio and pads evenly with 114; auto pads to the stride only', () => {
    const img = filledImage(200, 100, 7);
    const lb = letterbox(img, [320, 320]);
    expect(lb.ratio).toEqual([1.6, 1.6]);
    expect([lb.image.width, lb.image.height]).toEqual([320, 320]);
    const padRows = (320 - 160) / 2;
    expect(lb.pad).toEqual([0, padRows]);
    const at = (x: number, y: number) => lb.image.data[(y * 320 + x) * 3];
    expect([at(5, padRows - 1), at(5, padRows), at(5, padRows + 159), at(5, padRows + 160)]).toEqual([114, 7, 7, 114]);
    const auto = letterbox(img, [320, 320], { auto: true, stride: 32 });
    expect([auto.image.width, auto.image.height]).toEqual([320, 160]);
    const noUp = letterbox(img, [320, 320], { scaleup: false });
    expect(noUp.ratio[0]).toBe(1);
  });
});

describe('rectangular evaluation batches', () => {
  it('sorts by aspect ratio and gives each batch the smallest stride-multiple shape that fits', () => {
    const rng = new Rng(5);
    const sizes = Array.from({ length: 23 }, () => ({ width: rng.int(100, 640), height: rng.int(100, 640) }));
    const img = 320;
    const plan = rectBatches(sizes, img, 4);
    expect([...plan.order].sort((a, b) => a - b)).toEqual(sizes.map((_, i) => i));
    const ar = plan.order.map((i) => sizes[i].height / sizes[i].width);
    expect(ar).toEqual([...ar].sort((a, b) => a - b));
    plan.shapes.forEach(([h, w], b) => {
      expect(h % 32).toBe(0);
      expect(w % 32).toBe(0);
      expect(Math.max(h, w)).toBeLessThanOrEqual(img + 32);
      for (const i of plan.order.slice(b * 4, b * 4 + 4)) {
        const r = img / Math.max(sizes[i].width, sizes[i].height);
        expect(sizes[i].width * r).toBeLessThanOrEqual(w);
        expect(sizes[i].height * r).toBeLessThanOrEqual(h);
      }
    });
    expect(plan.shapes.some(([h, w]) => h !== w)).toBe(true);
  });
});

describe('HSV, warp and box filters', () => {
  it('unit gains leave colours (almost) unchanged; value gain scales brightness', () => {
    const rng = new Rng(1);
    const img = filledImage(32, 32, 0);
    for (let i = 0; i < img.data.length; i++) img.data[i] = rng.int(0, 255);
    const same = { ...img, data: img.data.slice() };
    applyHsvGains(same, [1, 1, 1]);
    let maxDiff = 0;
    for (let i = 0; i < img.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(same.data[i] - img.data[i]));
    expect(maxDiff).toBeLessThanOrEqual(4); // 8-bit HSV quantisation (hue in 2-degree steps)
    const dark = { ...img, data: img.data.slice() };
    applyHsvGains(dark, [1, 1, 0.5]);
    for (let p = 0; p < img.data.length; p += 3) {
      const v0 = Math.max(img.data[p], img.data[p + 1], img.data[p + 2]);
      const v1 = Math.max(dark.data[p], dark.data[p + 1], dark.data[p + 2]);
      expect(Math.abs(v1 - Math.floor(v0 * 0.5))).toBeLessThanOrEqual(1);
    }
  });

  it('identity warp copies; a translation shifts and pads with 114', () => {
    const img = filledImage(10, 8, 0);
    img.data[(3 * 10 + 4) * 3] = 200;
    expect(Buffer.from(warpAffine(img, [1, 0, 0, 0, 1, 0], 10, 8).data).equals(Buffer.from(img.data))).toBe(true);
    const moved = warpAffine(img, [1, 0, 2, 0, 1, 1], 10, 8);
    expect(moved.data[(4 * 10 + 6) * 3]).toBe(200);
    expect(moved.data[0]).toBe(114);
  });

  it('box_candidates: size, area ratio and aspect thresholds', () => {
    expect(boxCandidate(10, 10, 10, 10)).toBe(true);
    expect(boxCandidate(10, 10, 2, 10)).toBe(false); // not wider than 2 px
    expect(boxCandidate(10, 10, 4, 4)).toBe(false); // 16% of the area left
    expect(boxCandidate(100, 5, 100, 4.5)).toBe(false); // aspect ratio above 20
  });
});

describe('grayscale and real images', () => {
  it('decodes to RGB whatever the source', async () => {
    const s = await loadSample(d, 'train', 0, { img: 64, augment: false }, 0);
    expect(s.image.length).toBe(s.width * s.height * 3);
    expect(path.basename(s.path)).toBe('img000.png');
  });
});
