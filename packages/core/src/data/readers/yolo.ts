/**
 * Ultralytics YOLO txt reader: an images folder (or a .txt list of image paths); each image's labels
 * are at the path with its last `/images/` replaced by `/labels/` and the extension by `.txt` (upstream
 * `img2label_paths`). A line is `cls cx cy w h`, normalised. An image without a label file is a
 * background image (no boxes), as upstream counts it "missing" but still trains on it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { DataError } from '../errors.ts';
import type { YoloDescription } from '../description/schema.ts';
import { cachedRead } from '../cache/label-cache.ts';
import type { ImageRecord, ReadResult } from './types.ts';
import { mapLimit } from './map-limit.ts';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp']);
/** Labels written with 6 significant digits may overshoot the border by rounding. */
const EDGE_TOLERANCE = 1e-3;

export function yoloLabelPath(imageFile: string): string {
  const sa = `${path.sep}images${path.sep}`;
  const sb = `${path.sep}labels${path.sep}`;
  const i = imageFile.lastIndexOf(sa);
  const swapped = i < 0 ? imageFile : imageFile.slice(0, i) + sb + imageFile.slice(i + sa.length);
  const ext = path.extname(swapped);
  return (ext ? swapped.slice(0, -ext.length) : swapped) + '.txt';
}

async function listImages(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
    .map((e) => path.join(e.parentPath ?? dir, e.name))
    .sort();
}

/** Resolves one split entry (folder or list file) to image paths. */
export async function yoloImageFiles(root: string, entry: string): Promise<{ files: string[]; source: string }> {
  const p = path.resolve(root, entry);
  const s = await stat(p).catch(() => {
    throw new DataError(p, 'missing folder or image list');
  });
  if (s.isDirectory()) return { files: await listImages(p), source: p };
  const text = await readFile(p, 'utf8');
  const base = path.dirname(p);
  const files = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => path.resolve(base, l));
  return { files, source: p };
}

export async function readYoloEntry(d: YoloDescription, entry: string, opts: { cacheDir?: string }): Promise<ReadResult> {
  const { files, source } = await yoloImageFiles(d.root, entry);
  const labelFiles = files.map(yoloLabelPath);
  const cacheBase = files.length > 0 ? path.dirname(labelFiles[0]) : source;
  const key = { reader: 'yolo@1', nc: d.names.length };
  return cachedRead(
    {
      cacheFile: `${cacheBase}.distillery.labels-cache.json`,
      key,
      files: [source, ...files, ...labelFiles],
      cacheDir: opts.cacheDir,
    },
    async () => {
      const results = await mapLimit(files, 16, async (file, i) => {
        try {
          return await yoloRecord(file, labelFiles[i], d.names.length);
        } catch (e) {
          if (e instanceof DataError) return e;
          throw e;
        }
      });
      const records: ImageRecord[] = [];
      const bad: ReadResult['bad'] = [];
      for (const r of results) {
        if (r instanceof DataError) bad.push({ file: r.file, problem: r.problem });
        else records.push(r);
      }
      return { records, bad };
    },
  );
}

async function imageSize(file: string): Promise<{ width: number; height: number }> {
  try {
    const m = await sharp(file).metadata();
    if (!m.width || !m.height) throw new Error('no size in header');
    return { width: m.width, height: m.height };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(file, code === 'ENOENT' ? 'missing image file' : `image does not decode: ${(e as Error).message}`);
  }
}

export function parseYoloLabels(text: string, file: string, nc: number): number[] {
  const out: number[] = [];
  text.split('\n').forEach((line, k) => {
    const t = line.trim();
    if (!t) return;
    const f = t.split(/\s+/).map(Number);
    if (f.length !== 5 || !f.every(Number.isFinite)) {
      throw new DataError(file, `line ${k + 1}: malformed label '${t}' (expected 'class cx cy w h')`);
    }
    const [cls, cx, cy, w, h] = f;
    if (!Number.isInteger(cls) || cls < 0 || cls >= nc) throw new DataError(file, `line ${k + 1}: unknown class index ${cls} (names has ${nc})`);
    const e = EDGE_TOLERANCE;
    if (w <= 0 || h <= 0 || cx - w / 2 < -e || cy - h / 2 < -e || cx + w / 2 > 1 + e || cy + h / 2 > 1 + e) {
      throw new DataError(file, `line ${k + 1}: label outside the image (cx cy w h = ${cx} ${cy} ${w} ${h}, normalised)`);
    }
    const x1 = Math.max(cx - w / 2, 0);
    const x2 = Math.min(cx + w / 2, 1);
    const y1 = Math.max(cy - h / 2, 0);
    const y2 = Math.min(cy + h / 2, 1);
    out.push(cls, (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1);
  });
  return out;
}

async function yoloRecord(file: string, labelFile: string, nc: number): Promise<ImageRecord> {
  const { width, height } = await imageSize(file);
  let text = '';
  try {
    text = await readFile(labelFile, 'utf8');
  } catch {
    // no label file: a background image
  }
  return { file, width, height, labels: parseYoloLabels(text, labelFile, nc), ignored: [] };
}
