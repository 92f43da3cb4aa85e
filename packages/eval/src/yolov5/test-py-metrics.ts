/**
 * The numbers upstream `test.py` prints and returns: per-image matching (./match.ts) accumulated over
 * the data set, then `ap_per_class` (./ap-per-class.ts); mP, mR, mAP@.5, mAP@.5:.95 are plain means over
 * the classes that have ground truth; `maps` holds each class's AP@.5:.95 (the overall mAP for classes
 * without ground truth); train.py's fitness = 0.1·mAP@.5 + 0.9·mAP@.5:.95.
 * Matching is per image and independent, so a large set can be matched in several workers and the
 * `TestPyStats` concatenated (in image order) before `testPyMetrics`.
 */
import { apPerClass } from './ap-per-class.ts';
import { matchImage, N_IOU } from './match.ts';
import { pairwiseSum } from '../numeric/numpy.ts';

/** What test.py hands to `ap_per_class`, as flat typed arrays. */
export interface TestPyStats {
  /** `[n, 10]` 0/1 */
  correct: Uint8Array;
  conf: Float64Array;
  predCls: Float64Array;
  targetCls: Float64Array;
  /** Images seen (test.py's `seen`). */
  images: number;
}

export interface TestPyClassMetrics {
  cls: number;
  nTargets: number;
  p: number;
  r: number;
  ap50: number;
  ap50_95: number;
  /** AP at each IoU of 0.50:0.05:0.95. */
  apPerIou: number[];
  f1: number;
}

export interface TestPyMetrics {
  mp: number;
  mr: number;
  map50: number;
  map50_95: number;
  /** train.py `fitness`: 0.1·mAP@.5 + 0.9·mAP@.5:.95. */
  fitness: number;
  /** test()'s `maps`: per class index AP@.5:.95, the overall mAP where a class has no targets. */
  maps: Float64Array;
  perClass: TestPyClassMetrics[];
  images: number;
  targets: number;
}

/** Accumulates per-image results in image order (test.py's `stats` list). */
export class TestPyAccumulator {
  private readonly correct: Uint8Array[] = [];
  private readonly conf: number[] = [];
  private readonly predCls: number[] = [];
  private readonly targetCls: number[] = [];
  private images = 0;

  /**
   * One image. `pred` rows `[x1, y1, x2, y2, conf, cls]` (null = NMS returned None; clipped in place),
   * `targets` rows `[cls, x1, y1, x2, y2]` pixels, `width`/`height` the frame predictions are clipped to.
   */
  addImage(pred: Float32Array | Float64Array | null, targets: ArrayLike<number>, width: number, height: number): void {
    this.images++;
    for (let j = 0; j < targets.length; j += 5) this.targetCls.push(targets[j]);
    if (!pred) return;
    const { correct } = matchImage(pred, targets, width, height);
    this.correct.push(correct);
    for (let i = 0; i < pred.length; i += 6) {
      this.conf.push(pred[i + 4]);
      this.predCls.push(pred[i + 5]);
    }
  }

  stats(): TestPyStats {
    const total = this.correct.reduce((s, c) => s + c.length, 0);
    const correct = new Uint8Array(total);
    let o = 0;
    for (const c of this.correct) {
      correct.set(c, o);
      o += c.length;
    }
    return {
      correct,
      conf: Float64Array.from(this.conf),
      predCls: Float64Array.from(this.predCls),
      targetCls: Float64Array.from(this.targetCls),
      images: this.images,
    };
  }
}

/** Concatenates stats of consecutive image ranges (e.g. from workers), keeping their order. */
export function concatTestPyStats(parts: TestPyStats[]): TestPyStats {
  const cat = <T extends Uint8Array | Float64Array>(arrays: T[], make: (n: number) => T): T => {
    const out = make(arrays.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of arrays) {
      out.set(a, o);
      o += a.length;
    }
    return out;
  };
  return {
    correct: cat(parts.map((p) => p.correct), (n) => new Uint8Array(n)),
    conf: cat(parts.map((p) => p.conf), (n) => new Float64Array(n)),
    predCls: cat(parts.map((p) => p.predCls), (n) => new Float64Array(n)),
    targetCls: cat(parts.map((p) => p.targetCls), (n) => new Float64Array(n)),
    images: parts.reduce((s, p) => s + p.images, 0),
  };
}

/** test.py's summary from accumulated stats; `nc` sizes `maps`. */
export function testPyMetrics(stats: TestPyStats, nc: number): TestPyMetrics {
  const res = apPerClass(stats.correct, stats.conf, stats.predCls, stats.targetCls, N_IOU);
  const k = res.classes.length;
  const ap50 = new Float64Array(k), apMean = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    ap50[i] = res.ap[i * N_IOU];
    apMean[i] = pairwiseSum(res.ap, i * N_IOU, N_IOU) / N_IOU;
  }
  const mean = (a: Float64Array): number => (a.length ? pairwiseSum(a) / a.length : 0);
  const mp = mean(res.p), mr = mean(res.r), map50 = mean(ap50), map = mean(apMean);
  const maps = new Float64Array(nc).fill(map);
  const perClass: TestPyClassMetrics[] = [];
  for (let i = 0; i < k; i++) {
    const c = res.classes[i];
    if (c >= 0 && c < nc) maps[c] = apMean[i];
    perClass.push({
      cls: c,
      nTargets: res.nGt[i],
      p: res.p[i],
      r: res.r[i],
      ap50: ap50[i],
      ap50_95: apMean[i],
      apPerIou: Array.from(res.ap.subarray(i * N_IOU, (i + 1) * N_IOU)),
      f1: res.f1[i],
    });
  }
  return { mp, mr, map50, map50_95: map, fitness: 0.1 * map50 + 0.9 * map, maps, perClass, images: stats.images, targets: stats.targetCls.length };
}

/** test.py's printed line format `'%20s' + '%12.3g'·6`. */
export function formatTestPyLine(name: string, images: number, targets: number, p: number, r: number, ap50: number, ap: number): string {
  return name.padStart(20) + [images, targets, p, r, ap50, ap].map((v) => formatG3(v).padStart(12)).join('');
}

/** C's `%.3g`. */
export function formatG3(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  const exp = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(3)))));
  if (exp < -4 || exp >= 3) {
    const [m, e] = v.toExponential(2).split('e');
    const mant = m.includes('.') ? m.replace(/\.?0+$/, '') : m;
    const en = Number(e);
    return `${mant}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const s = v.toFixed(Math.max(0, 2 - exp));
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
