/** Small data sets written by the data tests (VOC, COCO, YOLO) with known boxes, plus shared-set lookup. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SHARED = process.env.DISTILLERY_SHARED ?? path.resolve(here, '../../../../shared');
export const SHARED_DATASETS = path.join(SHARED, 'datasets');
export const hasShared = (sub: string) => existsSync(path.join(SHARED_DATASETS, sub));

export const tmpDir = (prefix: string) => mkdtemp(path.join(os.tmpdir(), `distillery-${prefix}-`));

export interface Rect {
  cls: number;
  /** Pixel-edge box [x1, x2) x [y1, y2). */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface FixtureImage {
  id: string;
  width: number;
  height: number;
  rects: Rect[];
}

/** Black image with white filled rectangles (so a box's content is recognisable after any augmentation). */
export async function writeRectImage(file: string, img: FixtureImage, format: 'jpeg' | 'png' = 'png'): Promise<void> {
  const data = new Uint8Array(img.width * img.height * 3);
  for (const r of img.rects) {
    for (let y = r.y1; y < r.y2; y++) data.fill(255, (y * img.width + r.x1) * 3, (y * img.width + r.x2) * 3);
  }
  const s = sharp(data, { raw: { width: img.width, height: img.height, channels: 3 } });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, await (format === 'png' ? s.png() : s.jpeg({ quality: 95 })).toBuffer());
}

/** A few images with 1-3 rectangles each, varied sizes and aspect ratios. */
export function fixtureImages(n: number): FixtureImage[] {
  const out: FixtureImage[] = [];
  for (let i = 0; i < n; i++) {
    const width = 120 + ((i * 37) % 90);
    const height = 90 + ((i * 53) % 110);
    const rects: Rect[] = [];
    for (let k = 0; k <= i % 3; k++) {
      const w = 14 + ((i * 7 + k * 11) % 20);
      const h = 12 + ((i * 5 + k * 13) % 22);
      const x1 = 4 + ((k * 45 + i * 3) % (width - w - 8));
      const y1 = 4 + ((k * 29 + i * 5) % (height - h - 8));
      if (rects.some((r) => x1 < r.x2 + 3 && r.x1 < x1 + w + 3 && y1 < r.y2 + 3 && r.y1 < y1 + h + 3)) continue;
      rects.push({ cls: (i + k) % 3, x1, y1, x2: x1 + w, y2: y1 + h });
    }
    out.push({ id: `img${String(i).padStart(3, '0')}`, width, height, rects });
  }
  return out;
}

export const FIXTURE_NAMES = ['alpha', 'beta', 'gamma'];

export function vocXml(img: FixtureImage, names = FIXTURE_NAMES, difficult: (k: number) => boolean = () => false): string {
  const objs = img.rects
    .map(
      (r, k) =>
        `<object><name>${names[r.cls]}</name><difficult>${difficult(k) ? 1 : 0}</difficult><bndbox><xmin>${r.x1 + 1}</xmin><ymin>${r.y1 + 1}</ymin><xmax>${r.x2}</xmax><ymax>${r.y2}</ymax></bndbox></object>`,
    )
    .join('');
  return `<annotation><size><width>${img.width}</width><height>${img.height}</height><depth>3</depth></size>${objs}</annotation>`;
}

/** A VOC folder (Annotations, JPEGImages, ImageSets/Main/<set>.txt) with the given images. */
export async function writeVoc(dir: string, sets: Record<string, FixtureImage[]>, difficult?: (k: number) => boolean): Promise<void> {
  await mkdir(path.join(dir, 'Annotations'), { recursive: true });
  await mkdir(path.join(dir, 'ImageSets', 'Main'), { recursive: true });
  for (const [set, imgs] of Object.entries(sets)) {
    for (const img of imgs) {
      await writeRectImage(path.join(dir, 'JPEGImages', `${img.id}.jpg`), img, 'jpeg');
      await writeFile(path.join(dir, 'Annotations', `${img.id}.xml`), vocXml(img, FIXTURE_NAMES, difficult));
    }
    await writeFile(path.join(dir, 'ImageSets', 'Main', `${set}.txt`), imgs.map((i) => i.id).join('\n') + '\n');
  }
}

/** YOLO layout: images/<split>/*.png, labels/<split>/*.txt. */
export async function writeYolo(root: string, split: string, imgs: FixtureImage[]): Promise<void> {
  for (const img of imgs) {
    await writeRectImage(path.join(root, 'images', split, `${img.id}.png`), img, 'png');
    const lines = img.rects.map(
      (r) => `${r.cls} ${(r.x1 + r.x2) / 2 / img.width} ${(r.y1 + r.y2) / 2 / img.height} ${(r.x2 - r.x1) / img.width} ${(r.y2 - r.y1) / img.height}`,
    );
    await mkdir(path.join(root, 'labels', split), { recursive: true });
    await writeFile(path.join(root, 'labels', split, `${img.id}.txt`), lines.join('\n') + '\n');
  }
}

/** COCO layout: <images>/*.png and one instances json; category ids are sparse (10, 20, 30). */
export async function writeCoco(root: string, imgs: FixtureImage[], crowd: (i: number, k: number) => boolean = () => false): Promise<string> {
  const images = imgs.map((img, i) => ({ id: 100 + i, file_name: `${img.id}.png`, width: img.width, height: img.height }));
  let aid = 1;
  const annotations = imgs.flatMap((img, i) =>
    img.rects.map((r, k) => ({
      id: aid++,
      image_id: 100 + i,
      category_id: (r.cls + 1) * 10,
      bbox: [r.x1, r.y1, r.x2 - r.x1, r.y2 - r.y1],
      iscrowd: crowd(i, k) ? 1 : 0,
      area: (r.x2 - r.x1) * (r.y2 - r.y1),
    })),
  );
  const categories = FIXTURE_NAMES.map((name, c) => ({ id: (c + 1) * 10, name }));
  for (const img of imgs) await writeRectImage(path.join(root, 'train', `${img.id}.png`), img, 'png');
  const file = path.join(root, 'annotations', 'instances_train.json');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ images, annotations, categories }));
  return file;
}
