/**
 * The built-in demo data set (the run config's `data: 'demo'`): generated deterministically from a seed
 * and written in VOC layout (JPEGImages/*.jpg via sharp, Annotations/*.xml, ImageSets/Main/{train,val,test}.txt,
 * plus a `dataset.yaml` description) so it goes through the same reader as real VOC.
 * Idempotent: a marker file records the generator version and options; a matching marker means done.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import YAML from 'yaml';
import type { DatasetDescription } from '../description/schema.ts';
import { mixSeed, Rng } from '../random/rng.ts';
import { mapLimit } from '../readers/map-limit.ts';
import { DEMO_CLASS_NAMES } from './classes.ts';
import { renderDemoImage, type DemoImage } from './render.ts';

/** Bump when the rendering changes, so old folders regenerate. */
export const DEMO_GENERATOR_VERSION = 1;
export const DEMO_MARKER_FILE = '.distillery-demo.json';

export interface DemoOptions {
  seed?: number;
  train?: number;
  val?: number;
  test?: number;
  /** Image width and height (square). */
  imageSize?: number;
  minObjects?: number;
  maxObjects?: number;
  jpegQuality?: number;
}

type ResolvedDemoOptions = Required<DemoOptions>;

export const DEMO_DEFAULTS: ResolvedDemoOptions = {
  seed: 0,
  train: 400,
  val: 100,
  test: 100,
  imageSize: 320,
  minObjects: 1,
  maxObjects: 6,
  jpegQuality: 90,
};

export function demoDescription(dir: string): DatasetDescription {
  const root = path.resolve(dir);
  return {
    format: 'voc',
    root,
    names: [...DEMO_CLASS_NAMES],
    splits: {
      train: [{ dir: '.', set: 'train' }],
      val: [{ dir: '.', set: 'val' }],
      test: [{ dir: '.', set: 'test' }],
    },
    keepDifficult: false,
  };
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** VOC XML; boxes written as 1-based inclusive pixel indices, as VOC does. */
export function demoXml(id: string, img: DemoImage): string {
  const objects = img.objects
    .map(
      (o) => `  <object>
    <name>${xmlEscape(DEMO_CLASS_NAMES[o.cls])}</name>
    <pose>Unspecified</pose>
    <truncated>${o.truncated ? 1 : 0}</truncated>
    <difficult>0</difficult>
    <bndbox>
      <xmin>${o.x1 + 1}</xmin>
      <ymin>${o.y1 + 1}</ymin>
      <xmax>${o.x2}</xmax>
      <ymax>${o.y2}</ymax>
    </bndbox>
  </object>`,
    )
    .join('\n');
  return `<annotation>
  <folder>distillery-demo</folder>
  <filename>${id}.jpg</filename>
  <source><database>Distillery generated demo</database></source>
  <size>
    <width>${img.width}</width>
    <height>${img.height}</height>
    <depth>3</depth>
  </size>
  <segmented>0</segmented>
${objects}
</annotation>
`;
}

function resolveOptions(o: DemoOptions = {}): ResolvedDemoOptions {
  const r = { ...DEMO_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as ResolvedDemoOptions;
  if (!(r.imageSize >= 32)) throw new RangeError(`demo imageSize must be >= 32 (got ${r.imageSize})`);
  if (r.train < 1 || r.val < 0 || r.test < 0) throw new RangeError('demo needs at least 1 train image and non-negative val/test counts');
  if (r.minObjects < 0 || r.maxObjects < r.minObjects) throw new RangeError('demo needs 0 <= minObjects <= maxObjects');
  return r;
}

/** Generates the demo set into `dir` unless a marker with the same version and options is there. */
export async function ensureDemoDataset(dir: string, options?: DemoOptions): Promise<DatasetDescription> {
  const o = resolveOptions(options);
  const markerFile = path.join(dir, DEMO_MARKER_FILE);
  const marker = { generator: 'distillery-demo', version: DEMO_GENERATOR_VERSION, options: o };
  const existing = await readFile(markerFile, 'utf8').catch(() => undefined);
  if (existing !== undefined && existing === JSON.stringify(marker, null, 2)) return demoDescription(dir);

  await Promise.all(['Annotations', 'JPEGImages', path.join('ImageSets', 'Main')].map((d) => mkdir(path.join(dir, d), { recursive: true })));
  const splits: [string, number][] = [
    ['train', o.train],
    ['val', o.val],
    ['test', o.test],
  ];
  const jobs: { id: string; seed: number }[] = [];
  for (const [split, n] of splits) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = `${split}_${String(i).padStart(6, '0')}`;
      ids.push(id);
      // each image depends only on (seed, split, i): growing a split leaves the others unchanged
      jobs.push({ id, seed: mixSeed(o.seed, split.charCodeAt(0), split.length, i) });
    }
    await writeFile(path.join(dir, 'ImageSets', 'Main', `${split}.txt`), ids.map((id) => `${id}\n`).join(''));
  }
  await mapLimit(jobs, 4, async ({ id, seed }) => {
    const img = renderDemoImage(new Rng(seed), { width: o.imageSize, height: o.imageSize, minObjects: o.minObjects, maxObjects: o.maxObjects });
    const jpg = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
      .jpeg({ quality: o.jpegQuality, chromaSubsampling: '4:4:4' })
      .toBuffer();
    await writeFile(path.join(dir, 'JPEGImages', `${id}.jpg`), jpg);
    await writeFile(path.join(dir, 'Annotations', `${id}.xml`), demoXml(id, img));
  });
  const d = demoDescription(dir);
  // a portable description next to the data (root relative), so `data: <dir>/dataset.yaml` works too
  await writeFile(path.join(dir, 'dataset.yaml'), YAML.stringify({ ...d, root: '.' }));
  await writeFile(markerFile, JSON.stringify(marker, null, 2));
  return d;
}
