/**
 * Validation images with predicted and ground-truth boxes. The trainer writes a manifest (artifact
 * kind `val-images`, or `val-images.json` in the run folder) next to the images it lists:
 *   { epoch?, names?: string[], images: [{ file, width, height, gt: [{cls, box:[x1,y1,x2,y2]}],
 *     pred: [{cls, score, box}] }] }     (boxes in pixels of the listed image, `file` relative to the manifest)
 * Image paths are re-checked to stay inside the data folder before the browser may fetch them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Artifact } from '@distillery/db';
import { z } from 'zod';
import { resolveFileInside } from '~/server/files/inside-folder.ts';

const Box = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export const ValImagesManifestSchema = z.object({
  epoch: z.number().int().nonnegative().optional(),
  names: z.array(z.string()).optional(),
  images: z
    .array(
      z.object({
        file: z.string().min(1),
        width: z.number().positive(),
        height: z.number().positive(),
        gt: z.array(z.object({ cls: z.number().int().nonnegative(), box: Box })).default([]),
        pred: z.array(z.object({ cls: z.number().int().nonnegative(), score: z.number(), box: Box })).default([]),
      }),
    )
    .max(500),
});

export interface ValidationImages {
  epoch: number | null;
  names: string[];
  images: Array<z.infer<typeof ValImagesManifestSchema>['images'][number] & { url: string }>;
  problem: string | null;
}

const EMPTY: ValidationImages = { epoch: null, names: [], images: [], problem: null };

export async function readValidationImages(dataDir: string, runDir: string | null, artifacts: Artifact[]): Promise<ValidationImages> {
  const manifests = artifacts.filter((a) => a.kind === 'val-images').map((a) => a.path);
  if (runDir) manifests.push(path.join(runDir, 'val-images.json'));
  for (const candidate of manifests.reverse()) {
    let file: string;
    try {
      file = await resolveFileInside(dataDir, candidate);
    } catch {
      continue;
    }
    let parsed: z.infer<typeof ValImagesManifestSchema>;
    try {
      parsed = ValImagesManifestSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    } catch (e) {
      return { ...EMPTY, problem: `${path.relative(dataDir, file)}: not a valid validation-images manifest (${(e as Error).message.slice(0, 300)})` };
    }
    const images: ValidationImages['images'] = [];
    for (const image of parsed.images) {
      try {
        const real = await resolveFileInside(dataDir, path.resolve(path.dirname(file), image.file));
        images.push({ ...image, url: fileUrl(dataDir, real) });
      } catch {
        // An image that is missing or outside the data folder is left out.
      }
    }
    return { epoch: parsed.epoch ?? null, names: parsed.names ?? [], images, problem: null };
  }
  return EMPTY;
}

/** The download URL of a file inside the data folder. */
export function fileUrl(dataDir: string, absolute: string): string {
  return `/api/files?path=${encodeURIComponent(path.relative(dataDir, absolute))}`;
}
