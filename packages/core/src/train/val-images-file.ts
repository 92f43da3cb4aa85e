/**
 * Writes an evaluation's validation images into the run folder, in the manifest format the dashboard
 * reads (`apps/web/src/server/runs/validation-images.ts`):
 *   <runDir>/val-images.json  { epoch, names, images: [{ file, width, height, gt: [{cls, box}], pred: [{cls, score, box}] }] }
 *   <runDir>/val-images/<index>-<hash>.jpg
 * with `file` relative to the manifest and boxes in pixels of that JPEG. The images are small copies
 * (long side ≤ 512), because the dashboard serves files inside its data folder only, and the data set
 * may live anywhere. They are the same images every epoch, so each is encoded once.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic, type WrittenFile } from '../checkpoint/file.ts';
import type { Box, ValImageSample } from './val-images.ts';

export const VAL_IMAGES_MANIFEST = 'val-images.json';
export const VAL_IMAGES_DIR = 'val-images';
const MAX_SIDE = 512;

export interface ValImagesManifest {
  epoch: number;
  names: string[];
  images: Array<{ file: string; width: number; height: number; gt: Array<{ cls: number; box: Box }>; pred: Array<{ cls: number; score: number; box: Box }> }>;
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0;
  } catch {
    return false;
  }
}

/** Copies one image as a small JPEG (the same colour handling as the data loader: sRGB, no alpha). */
async function copyImage(source: string, out: string, width: number, height: number): Promise<void> {
  if (await exists(out)) return;
  const jpeg = await sharp(source, { failOn: 'error' })
    .toColourspace('srgb')
    .removeAlpha()
    .resize(width, height, { fit: 'fill' })
    .jpeg({ quality: 80 })
    .toBuffer();
  await writeFileAtomic(out, new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength));
}

export async function writeValImages(runDir: string, samples: ValImageSample[], o: { epoch: number; names: string[] }): Promise<WrittenFile> {
  const images: ValImagesManifest['images'] = [];
  for (const s of samples) {
    const scale = Math.min(1, MAX_SIDE / Math.max(s.width, s.height));
    const width = Math.max(1, Math.round(s.width * scale));
    const height = Math.max(1, Math.round(s.height * scale));
    // The source path in the name: a resumed run pointed at another copy of the data gets new files.
    const tag = createHash('sha256').update(`${s.path}:${width}x${height}`).digest('hex').slice(0, 10);
    const file = `${VAL_IMAGES_DIR}/${s.index}-${tag}.jpg`;
    await copyImage(s.path, path.join(runDir, file), width, height);
    const sx = width / s.width;
    const sy = height / s.height;
    const fit = (b: Box): Box => [b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy].map((v) => Math.round(v * 10) / 10) as Box;
    images.push({
      file,
      width,
      height,
      gt: s.gt.map((g) => ({ cls: g.cls, box: fit(g.box) })),
      pred: s.pred.map((p) => ({ cls: p.cls, score: Math.round(p.score * 1e4) / 1e4, box: fit(p.box) })),
    });
  }
  const manifest: ValImagesManifest = { epoch: o.epoch, names: o.names, images };
  return writeFileAtomic(path.join(runDir, VAL_IMAGES_MANIFEST), new TextEncoder().encode(JSON.stringify(manifest)));
}
