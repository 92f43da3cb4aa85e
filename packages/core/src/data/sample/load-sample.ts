/**
 * `loadSample`: the pure, serialisable unit of data work (contract 3). Given the description, split,
 * dataset index, options and a per-sample seed it returns the same pixels and labels in any thread.
 * Training (augment): mosaic with probability hyp.mosaic (else letterbox + random affine), HSV, flip.
 * Evaluation: load resize + letterbox (no enlarging) to `options.shape` or the square `img`.
 */
import { DataError, isDataError } from '../errors.ts';
import type { DatasetDescription } from '../description/schema.ts';
import { loadImage } from '../image/decode.ts';
import { Rng } from '../random/rng.ts';
import { readSplit } from '../readers/read-split.ts';
import type { ImageRecord } from '../readers/types.ts';
import { randomAffine } from '../augment/affine.ts';
import { normToPixel, pixelToNorm } from '../augment/boxes.ts';
import { flipImageLR, flipRowsLR } from '../augment/flip.ts';
import { augmentHsv } from '../augment/hsv.ts';
import { letterbox } from '../augment/letterbox.ts';
import { mosaic, type MosaicPart } from '../augment/mosaic.ts';
import { DEFAULT_AUGMENT_HYP, type BadSample, type Sample, type SampleOptions } from '../types.ts';
import type { RgbImage } from '../image/rgb-image.ts';

/** Partner images tried per mosaic slot before giving up (badSamples 'skip'). */
const MOSAIC_RETRIES = 8;

export async function loadSample(
  description: DatasetDescription,
  split: string,
  index: number,
  options: SampleOptions,
  seed: number,
): Promise<Sample> {
  const idx = await readSplit(description, split, { badSamples: options.badSamples, cacheDir: options.cacheDir });
  const rec = idx.images[index];
  if (!rec) throw new RangeError(`sample index ${index} is outside split '${split}' (${idx.images.length} images)`);
  const hyp = { ...DEFAULT_AUGMENT_HYP, ...options.hyp };
  const rng = new Rng(seed);
  const s = options.img;

  let image: RgbImage;
  let labels: number[];
  let ignored: number[];
  let meta: Sample['meta'];
  const skipped: BadSample[] = [];

  const useMosaic = options.augment && rng.next() < hyp.mosaic;
  if (useMosaic) {
    const xc = Math.trunc(rng.uniform(s * 0.5, s * 1.5));
    const yc = Math.trunc(rng.uniform(s * 0.5, s * 1.5));
    const partners = [0, 1, 2].map(() => rng.int(0, idx.images.length - 1));
    const first = await loadImage(rec.file, s, rec);
    const parts: MosaicPart[] = [{ image: first.image, labels: rec.labels, ignored: rec.ignored }];
    for (const p of partners) parts.push(await loadPartner(idx.images, p, s, rng, options.badSamples === 'skip', skipped));
    const m = mosaic(parts as [MosaicPart, MosaicPart, MosaicPart, MosaicPart], s, xc, yc);
    ({ image, labels, ignored } = randomAffine(m.image, m.labels, m.ignored, hyp, rng, -Math.floor(s / 2)));
    meta = { originalWidth: first.originalWidth, originalHeight: first.originalHeight, ratio: [0, 0], pad: [0, 0], mosaic: true };
  } else {
    const loaded = await loadImage(rec.file, s, rec);
    const lb = letterbox(loaded.image, options.shape ?? [s, s], {
      auto: options.auto,
      stride: options.stride,
      scaleup: options.scaleup ?? options.augment,
    });
    const { width: w, height: h } = loaded.image;
    const [r] = lb.ratio;
    labels = normToPixel(rec.labels, r * w, r * h, lb.pad[0], lb.pad[1]);
    ignored = normToPixel(rec.ignored, r * w, r * h, lb.pad[0], lb.pad[1]);
    image = lb.image;
    if (options.augment) ({ image, labels, ignored } = randomAffine(image, labels, ignored, hyp, rng, 0));
    meta = {
      originalWidth: loaded.originalWidth,
      originalHeight: loaded.originalHeight,
      ratio: [(r * w) / loaded.originalWidth, (r * h) / loaded.originalHeight],
      pad: lb.pad,
      mosaic: false,
    };
  }

  if (options.augment) augmentHsv(image, hyp.hsv_h, hyp.hsv_s, hyp.hsv_v, rng);
  const outLabels = pixelToNorm(labels, image.width, image.height);
  const outIgnored = pixelToNorm(ignored, image.width, image.height);
  if (options.augment && rng.next() < hyp.fliplr) {
    flipImageLR(image);
    flipRowsLR(outLabels);
    flipRowsLR(outIgnored);
  }
  const sample: Sample = {
    image: image.data,
    height: image.height,
    width: image.width,
    labels: outLabels,
    ignored: outIgnored,
    path: rec.file,
    meta,
  };
  if (skipped.length) sample.skipped = skipped;
  return sample;
}

async function loadPartner(images: ImageRecord[], first: number, s: number, rng: Rng, skip: boolean, skipped: BadSample[]): Promise<MosaicPart> {
  let k = first;
  for (let attempt = 0; ; attempt++) {
    const rec = images[k];
    try {
      const { image } = await loadImage(rec.file, s, rec);
      return { image, labels: rec.labels, ignored: rec.ignored };
    } catch (e) {
      if (!skip || !isDataError(e) || attempt >= MOSAIC_RETRIES) throw e;
      skipped.push({ file: e.file, problem: e.problem });
      k = rng.int(0, images.length - 1);
    }
  }
}

export { DataError };
