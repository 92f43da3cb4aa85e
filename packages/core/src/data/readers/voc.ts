/**
 * Pascal VOC reader: `<dir>/ImageSets/Main/<set>.txt` lists ids; `<dir>/Annotations/<id>.xml` holds
 * `<size>` and `<object>`s (`name`, `difficult`, `bndbox` 1-based inclusive); images in `<dir>/JPEGImages`.
 * Boxes are converted exactly as upstream `script/voc_label.py` does (centre minus one pixel, width =
 * xmax - xmin, centre clipped to [0, 1]); difficult objects are moved to `ignored` unless `keepDifficult`.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DataError } from '../errors.ts';
import type { VocDescription, VocImageSet } from '../description/schema.ts';
import { cachedRead } from '../cache/label-cache.ts';
import type { ImageRecord, ReadResult } from './types.ts';
import { mapLimit } from './map-limit.ts';

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'object' });

export function vocImageSetFile(root: string, s: VocImageSet): { dir: string; list: string; set: string } {
  if (typeof s === 'string') {
    const list = path.resolve(root, s);
    // <dir>/ImageSets/Main/<set>.txt
    return { dir: path.resolve(path.dirname(list), '..', '..'), list, set: path.basename(list, '.txt') };
  }
  const dir = path.resolve(root, s.dir);
  return { dir, list: path.join(dir, 'ImageSets', 'Main', `${s.set}.txt`), set: s.set };
}

export async function readVocImageSet(
  d: VocDescription,
  s: VocImageSet,
  opts: { cacheDir?: string },
): Promise<ReadResult> {
  const { dir, list, set } = vocImageSetFile(d.root, s);
  for (const sub of ['Annotations', 'JPEGImages']) {
    await stat(path.join(dir, sub)).catch(() => {
      throw new DataError(path.join(dir, sub), 'missing folder (expected a VOC layout: Annotations/, JPEGImages/, ImageSets/Main/)');
    });
  }
  const text = await readFile(list, 'utf8').catch(() => {
    throw new DataError(list, 'missing VOC image set file');
  });
  // Lines may carry a second column (per-class lists: "<id> 1"); the id is the first token.
  const ids = text
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((id): id is string => !!id);
  const xmls = ids.map((id) => path.join(dir, 'Annotations', `${id}.xml`));
  const jpgs = ids.map((id) => path.join(dir, 'JPEGImages', `${id}.jpg`));
  const key = { reader: 'voc@1', names: d.names, keepDifficult: d.keepDifficult };
  return cachedRead(
    { cacheFile: path.join(dir, `distillery-${set}.labels-cache.json`), key, files: [list, ...xmls, ...jpgs], cacheDir: opts.cacheDir },
    async () => {
      const records: ImageRecord[] = [];
      const bad: ReadResult['bad'] = [];
      const results = await mapLimit(ids, 16, async (_id, i) => {
        try {
          return await parseVocXml(xmls[i], jpgs[i], d.names, d.keepDifficult);
        } catch (e) {
          if (e instanceof DataError) return e;
          throw e;
        }
      });
      for (const r of results) {
        if (r instanceof DataError) bad.push({ file: r.file, problem: r.problem });
        else records.push(r);
      }
      return { records, bad };
    },
  );
}

function num(v: unknown): number {
  return typeof v === 'string' || typeof v === 'number' ? Number(v) : NaN;
}

export async function parseVocXml(xmlFile: string, imageFile: string, names: string[], keepDifficult: boolean): Promise<ImageRecord> {
  const text = await readFile(xmlFile, 'utf8').catch(() => {
    throw new DataError(xmlFile, 'missing annotation file');
  });
  await stat(imageFile).catch(() => {
    throw new DataError(imageFile, 'missing image file');
  });
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new DataError(xmlFile, `malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const doc = parser.parse(text) as { annotation?: { size?: Record<string, unknown>; object?: Record<string, unknown>[] } };
  const ann = doc.annotation;
  if (!ann) throw new DataError(xmlFile, 'malformed VOC XML: no <annotation> element');
  const width = num(ann.size?.width);
  const height = num(ann.size?.height);
  if (!(width > 0 && height > 0)) throw new DataError(xmlFile, 'malformed VOC XML: <size> needs positive <width> and <height>');
  const labels: number[] = [];
  const ignored: number[] = [];
  for (const [k, obj] of (ann.object ?? []).entries()) {
    const name = typeof obj.name === 'string' ? obj.name.trim() : '';
    const cls = names.indexOf(name);
    if (cls < 0) throw new DataError(xmlFile, `object ${k}: unknown class name '${name}' (not one of the ${names.length} names)`);
    const b = obj.bndbox as Record<string, unknown> | undefined;
    const [xmin, ymin, xmax, ymax] = [num(b?.xmin), num(b?.ymin), num(b?.xmax), num(b?.ymax)];
    if (![xmin, ymin, xmax, ymax].every(Number.isFinite)) throw new DataError(xmlFile, `object ${k} (${name}): malformed <bndbox>`);
    if (xmin < 0 || ymin < 0 || xmax > width || ymax > height) {
      throw new DataError(xmlFile, `object ${k} (${name}): label outside the image: box ${xmin},${ymin},${xmax},${ymax} in a ${width}x${height} image`);
    }
    if (xmax <= xmin || ymax <= ymin) throw new DataError(xmlFile, `object ${k} (${name}): empty box ${xmin},${ymin},${xmax},${ymax}`);
    // upstream voc_label.py convert(): centre shifted by -1 (1-based to 0-based), size without +1.
    const cx = Math.min(Math.max(((xmin + xmax) / 2 - 1) / width, 0), 1);
    const cy = Math.min(Math.max(((ymin + ymax) / 2 - 1) / height, 0), 1);
    const row = [cls, cx, cy, (xmax - xmin) / width, (ymax - ymin) / height];
    const difficult = num(obj.difficult) === 1;
    (difficult && !keepDifficult ? ignored : labels).push(...row);
  }
  return { file: imageFile, width, height, labels, ignored };
}
