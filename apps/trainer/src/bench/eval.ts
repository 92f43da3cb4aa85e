/**
 * `pnpm bench eval [--images N] [--dets-per-image N] [--classes N] [--threads N] [--json]`
 *
 * The evaluation benchmark: a deterministic synthetic set of 5,000 images × 100 detections
 * over 80 classes (~40,000 ground-truth boxes; jittered true positives, class confusions, duplicates
 * and background boxes with random scores), scored with COCOeval and voc_eval (both AP methods come
 * from one pass). Reports seconds, the ratio to the reference implementations measured on this kind
 * of machine for the same case size (pycocotools 69.6 s, voc_eval 48 s; `bench-5000x100.json`), that
 * the worker-pool results equal the single-thread ones bit for bit, and peak RSS / heap (bar: < 1 GiB).
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { buildGroundTruth, cocoEval, DetectionsBuilder, vocEval, type Detections, type GroundTruth, type GtBox } from '@distillery/eval';
import { UsageError } from '../errors.ts';
import { createEvalPool } from '../workers/eval.ts';

const PYCOCOTOOLS_S = 69.6;
const VOC_EVAL_S = 48.2;
const MEMORY_BAR = 1024 ** 3;

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateEvalCase(nImages: number, detsPerImage: number, nClasses: number, seed = 0): { gt: GroundTruth; dt: Detections } {
  const r = rng(seed);
  const images = Array.from({ length: nImages }, (_, i) => ({ id: i + 1, width: 320 + Math.floor(r() * 321), height: 240 + Math.floor(r() * 401) }));
  const categories = Array.from({ length: nClasses }, (_, k) => ({ id: k + 1, name: `class${k + 1}` }));
  const boxes: GtBox[] = [];
  const dt = new DetectionsBuilder(nImages * detsPerImage);
  for (let img = 0; img < nImages; img++) {
    const { width: W, height: H } = images[img];
    const nGt = 2 + Math.floor(r() * 13); // 2..14, mean 8
    let nDet = 0;
    for (let g = 0; g < nGt; g++) {
      // sizes spread over small / medium / large
      const w = Math.max(2, W * (0.02 + 0.6 * r() ** 2)), h = Math.max(2, H * (0.02 + 0.6 * r() ** 2));
      const x = r() * (W - w), y = r() * (H - h);
      const cat = Math.floor(r() * nClasses);
      boxes.push({ image: img, category: cat, xywh: [x, y, w, h], xyxy: [x, y, x + w, y + h], area: w * h, crowd: r() < 0.01, difficult: false, annId: boxes.length + 1 });
      if (r() < 0.12) continue; // missed
      const copies = 1 + (r() < 0.3 ? 1 : 0) + (r() < 0.1 ? 1 : 0);
      for (let c = 0; c < copies && nDet < detsPerImage; c++, nDet++) {
        const j = 0.02 + 0.2 * r();
        const dx = (r() - 0.5) * j * w, dy = (r() - 0.5) * j * h;
        const dw = w * (1 + (r() - 0.5) * j), dh = h * (1 + (r() - 0.5) * j);
        const dcat = r() < 0.08 ? Math.floor(r() * nClasses) : cat;
        dt.push(img, dcat, 0.3 + 0.7 * r(), [x + dx, y + dy, dw, dh], 'xywh');
      }
    }
    for (; nDet < detsPerImage; nDet++) {
      const w = Math.max(1, W * 0.5 * r() ** 2), h = Math.max(1, H * 0.5 * r() ** 2);
      dt.push(img, Math.floor(r() * nClasses), 0.6 * r(), [r() * (W - w), r() * (H - h), w, h], 'xywh');
    }
  }
  return { gt: buildGroundTruth('bench', images, categories, boxes), dt: dt.build('bench') };
}

class PeakMemory {
  rss = 0;
  heap = 0;
  private timer: NodeJS.Timeout | undefined;
  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 20);
  }
  sample(): void {
    const m = process.memoryUsage();
    this.rss = Math.max(this.rss, m.rss);
    this.heap = Math.max(this.heap, m.heapUsed + m.external + m.arrayBuffers);
  }
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

const secs = async <T>(fn: () => Promise<T> | T): Promise<[T, number]> => {
  const t0 = performance.now();
  const v = await fn();
  return [v, (performance.now() - t0) / 1000];
};

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      images: { type: 'string', default: '5000' },
      'dets-per-image': { type: 'string', default: '100' },
      classes: { type: 'string', default: '80' },
      threads: { type: 'string', default: '2' },
      json: { type: 'boolean', default: false },
    },
  });
  const [nImages, perImage, nClasses, threads] = [values.images, values['dets-per-image'], values.classes, values.threads].map(Number);
  if (![nImages, perImage, nClasses].every((v) => Number.isInteger(v) && v > 0) || !(Number.isInteger(threads) && threads >= 0)) {
    throw new UsageError('--images, --dets-per-image, --classes must be positive integers, --threads a non-negative integer');
  }
  const mem = new PeakMemory();
  mem.start();
  const [{ gt, dt }, genS] = await secs(() => generateEvalCase(nImages, perImage, nClasses));
  const [cocoSingle, cocoSingleS] = await secs(() => cocoEval(gt, dt));
  const [vocSingle, vocSingleS] = await secs(() => vocEval(gt, dt));
  const pool = createEvalPool({ threads });
  let cocoPool, cocoPoolS, vocPool, vocPoolS;
  try {
    await pool.voc(gt, { ...dt, count: 0 }); // start the threads outside the timings
    [cocoPool, cocoPoolS] = await secs(() => pool.coco(gt, dt));
    [vocPool, vocPoolS] = await secs(() => pool.voc(gt, dt));
  } finally {
    await pool.close();
  }
  mem.stop();
  const identical =
    JSON.stringify(cocoPool.stats) === JSON.stringify(cocoSingle.stats) &&
    cocoPool.perCategory.every((c, k) => c.ap === cocoSingle.perCategory[k].ap) &&
    vocPool.map11 === vocSingle.map11 &&
    vocPool.mapAll === vocSingle.mapAll;
  const scale = (nImages * perImage) / 500000;
  const report = {
    case: { images: nImages, detsPerImage: perImage, classes: nClasses, gt: gt.count, dets: dt.count, generateS: genS },
    coco: { singleThreadS: cocoSingleS, poolS: cocoPoolS, threads, pycocotoolsS: PYCOCOTOOLS_S * scale, speedup: (PYCOCOTOOLS_S * scale) / Math.min(cocoSingleS, cocoPoolS), stats: cocoPool.stats },
    voc: { singleThreadS: vocSingleS, poolS: vocPoolS, vocEvalS: VOC_EVAL_S * scale, speedup: (VOC_EVAL_S * scale) / Math.min(vocSingleS, vocPoolS), mAP11: vocPool.map11, mAPall: vocPool.mapAll },
    identicalAcrossThreads: identical,
    peakRssMiB: mem.rss / 2 ** 20,
    peakHeapMiB: mem.heap / 2 ** 20,
    memoryUnder1GiB: mem.rss < MEMORY_BAR,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const f = (v: number): string => v.toFixed(2);
  const lines = [
    `eval bench: ${nImages} images × ${perImage} detections, ${nClasses} classes (${gt.count} GT, ${dt.count} detections; generated in ${f(genS)} s)`,
    `COCO (COCOeval bbox): ${f(cocoSingleS)} s in one thread, ${f(cocoPoolS)} s with ${threads} worker(s); pycocotools ${f(PYCOCOTOOLS_S * scale)} s → ${f(report.coco.speedup)}× faster${report.coco.speedup >= 10 ? '' : '  (below the 10× bar)'}`,
    `VOC (voc_eval, 11-point + all-point): ${f(vocSingleS)} s in one thread, ${f(vocPoolS)} s with ${threads} worker(s); voc_eval ${f(VOC_EVAL_S * scale)} s → ${f(report.voc.speedup)}× faster`,
    `results identical across thread counts: ${identical ? 'yes' : 'NO'}`,
    `peak memory: RSS ${f(report.peakRssMiB)} MiB, heap+buffers ${f(report.peakHeapMiB)} MiB (bar: 1024 MiB) ${report.memoryUnder1GiB ? 'ok' : 'OVER'}`,
    `COCO stats: ${cocoPool.stats.map((s) => s.toFixed(4)).join(' ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
