/**
 * COCO json reader (`instances_*.json`): `images[]` (id, file_name, width, height), `annotations[]`
 * (image_id, category_id, bbox [x, y, w, h] in pixels, iscrowd), `categories[]` (sparse ids).
 * Class index = position of the category in `names` (by name), or by ascending category id when the
 * description has no names (COCO's usual 0..79). Crowd boxes go to `ignored`, as the Ultralytics
 * conversion leaves them out of the labels; boxes with zero width/height are dropped (as it does).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DataError } from '../errors.ts';
import type { CocoDescription } from '../description/schema.ts';
import { cachedRead } from '../cache/label-cache.ts';
import type { ImageRecord, ReadResult } from './types.ts';
import { mapLimit } from './map-limit.ts';

const CocoJsonSchema = z.object({
  images: z.array(z.object({ id: z.number(), file_name: z.string(), width: z.number().positive(), height: z.number().positive() }).passthrough()),
  annotations: z.array(
    z
      .object({
        id: z.number().optional(),
        image_id: z.number(),
        category_id: z.number(),
        bbox: z.array(z.number()).length(4),
        iscrowd: z.number().optional(),
      })
      .passthrough(),
  ),
  categories: z.array(z.object({ id: z.number(), name: z.string() }).passthrough()),
});
type CocoJson = z.infer<typeof CocoJsonSchema>;

/** Tolerance for boxes that overshoot the border by float rounding (COCO has some). */
const EDGE_TOLERANCE_PX = 1;

export async function readCocoJson(file: string): Promise<CocoJson> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new DataError(file, 'missing COCO annotation file');
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DataError(file, `malformed JSON: ${(e as Error).message}`);
  }
  const r = CocoJsonSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new DataError(file, `malformed COCO json at ${i.path.join('.')}: ${i.message}`);
  }
  return r.data;
}

/** Class names in COCO's order: categories sorted by id. */
export function cocoNames(json: CocoJson): string[] {
  return [...json.categories].sort((a, b) => a.id - b.id).map((c) => c.name);
}

export async function readCocoSplit(
  d: CocoDescription,
  entry: { annotations: string; images: string },
  opts: { cacheDir?: string },
): Promise<ReadResult & { names: string[] }> {
  const jsonFile = path.resolve(d.root, entry.annotations);
  const imageDir = path.resolve(d.root, entry.images);
  await stat(imageDir).catch(() => {
    throw new DataError(imageDir, 'missing image folder');
  });
  const key = { reader: 'coco@1', names: d.names ?? null, imageDir };
  const result = await cachedRead(
    { cacheFile: `${jsonFile.replace(/\.json$/, '')}.distillery.labels-cache.json`, key, files: [jsonFile], cacheDir: opts.cacheDir },
    async () => {
      const json = await readCocoJson(jsonFile);
      const catNames = new Map(json.categories.map((c) => [c.id, c.name]));
      const classNames = d.names ?? cocoNames(json);
      const byImage = new Map<number, CocoJson['annotations']>();
      for (const a of json.annotations) {
        const l = byImage.get(a.image_id);
        if (l) l.push(a);
        else byImage.set(a.image_id, [a]);
      }
      const records: ImageRecord[] = [];
      const bad: ReadResult['bad'] = [];
      const exists = await mapLimit(json.images, 32, (im) =>
        stat(path.join(imageDir, im.file_name)).then(
          () => true,
          () => false,
        ),
      );
      json.images.forEach((im, k) => {
        const file = path.join(imageDir, im.file_name);
        const where = `${jsonFile} (image id ${im.id}, ${im.file_name})`;
        try {
          if (!exists[k]) throw new DataError(file, 'missing image file');
          records.push(cocoRecord(im, byImage.get(im.id) ?? [], file, where, catNames, classNames));
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          bad.push({ file: e.file, problem: e.problem });
        }
      });
      // the names travel with the cache so a cached read needs no json parse
      return { records, bad, names: classNames };
    },
  );
  return { records: result.records, bad: result.bad, names: result.names, fromCache: result.fromCache };
}

function cocoRecord(
  im: CocoJson['images'][number],
  anns: CocoJson['annotations'],
  file: string,
  where: string,
  catNames: Map<number, string>,
  classNames: string[],
): ImageRecord {
  const { width: W, height: H } = im;
  const labels: number[] = [];
  const ignored: number[] = [];
  for (const a of anns) {
    const name = catNames.get(a.category_id);
    const cls = name === undefined ? -1 : classNames.indexOf(name);
    if (cls < 0) throw new DataError(where, `annotation ${a.id ?? '?'}: unknown class name '${name ?? `category ${a.category_id}`}'`);
    const [x, y, w, h] = a.bbox;
    if (!(w > 0 && h > 0)) continue;
    const t = EDGE_TOLERANCE_PX;
    if (x < -t || y < -t || x + w > W + t || y + h > H + t) {
      throw new DataError(where, `annotation ${a.id ?? '?'}: label outside the image: bbox [${a.bbox.join(', ')}] in a ${W}x${H} image`);
    }
    const x1 = Math.max(x, 0);
    const y1 = Math.max(y, 0);
    const x2 = Math.min(x + w, W);
    const y2 = Math.min(y + h, H);
    const row = [cls, (x1 + x2) / 2 / W, (y1 + y2) / 2 / H, (x2 - x1) / W, (y2 - y1) / H];
    (a.iscrowd ? ignored : labels).push(...row);
  }
  return { file, width: W, height: H, labels, ignored };
}
