/** Small cases whose answers are worked out by hand. */
import { describe, expect, it } from 'vitest';
import {
  apPerClass,
  bboxIou,
  cocoEval,
  cocoJson,
  confusionMatrix,
  letterboxGeometry,
  scaleCoords,
  testPyMetrics,
  testPyStatsForImages,
  vocAp11,
  vocEval,
  vocJson,
} from '../src/index.ts';
import { handDt, handGt, type HandBox } from './helpers.ts';

const boxes: HandBox[] = [
  { img: 0, cat: 0, xywh: [10, 10, 100, 50] }, // area 5000: medium
  { img: 0, cat: 1, xywh: [200, 200, 20, 20] }, // area 400: small
  { img: 1, cat: 0, xywh: [50, 60, 150, 120] }, // area 18000: large
];

describe('perfect detector', () => {
  const gt = handGt(2, 3, boxes); // category 3 has no ground truth
  const dt = handDt(boxes.map((b, i) => ({ ...b, score: 0.9 - i * 0.1 })));
  it('COCO: every defined stat is 1, an empty category is -1', () => {
    const r = cocoEval(gt, dt);
    // precision is tp / (tp + fp + np.spacing(1)): 1 − 2e-16, as pycocotools
    r.stats.forEach((s) => expect(s).toBeCloseTo(1, 14));
    const per = cocoJson(r).perClass;
    expect(Object.keys(per)).toEqual(['1', '2', '3']);
    expect(per['1']).toBeCloseTo(1, 14);
    expect(per['3']).toBe(-1);
  });
  it('VOC: AP 1 for both methods, empty class left out of the mean', () => {
    const r = vocEval(gt, dt);
    expect(r.map11).toBeCloseTo(1, 12);
    expect(r.mapAll).toBe(1);
    expect(r.nClassesInMean).toBe(2);
    expect(Object.keys(vocJson(r, 'allpoint').perClass)).toEqual(['c1', 'c2']);
  });
  it('test.py: mAP 0.995 (the sentinel recall min(1 + 1e-3, 1) = 1 makes the last 0.01 of recall a trapezoid down to 0)', () => {
    const m = testPyMetrics(testPyStatsForImages(gt, dt), 3);
    expect(m.map50).toBeCloseTo(0.995, 12);
    expect(m.map50_95).toBeCloseTo(0.995, 12);
    expect(m.mp).toBe(1);
    expect(m.mr).toBe(1);
  });
});

describe('COCO rules', () => {
  it('a crowd region absorbs any number of detections (neither TP nor FP)', () => {
    const gt = handGt(1, 1, [
      { img: 0, cat: 0, xywh: [0, 0, 100, 100] },
      { img: 0, cat: 0, xywh: [300, 300, 100, 100], crowd: true },
    ]);
    const dt = handDt([
      { img: 0, cat: 0, xywh: [310, 310, 20, 20], score: 0.99 }, // inside the crowd: IoU = inter/area(det) = 1
      { img: 0, cat: 0, xywh: [350, 350, 30, 30], score: 0.98 },
      { img: 0, cat: 0, xywh: [0, 0, 100, 100], score: 0.5 },
    ]);
    expect(cocoEval(gt, dt).stats[0]).toBeCloseTo(1, 14);
    // the same detections without the crowd flag: two FPs ahead of the TP → precision 1/3 at recall 1
    const gt2 = handGt(1, 1, [{ img: 0, cat: 0, xywh: [0, 0, 100, 100] }]);
    expect(cocoEval(gt2, dt).stats[1]).toBeCloseTo(1 / 3, 12);
  });
  it('maxDets applies per image and category', () => {
    const gt = handGt(1, 2, [
      { img: 0, cat: 0, xywh: [0, 0, 100, 100] },
      { img: 0, cat: 1, xywh: [200, 200, 100, 100] },
    ]);
    const dt = handDt([
      { img: 0, cat: 0, xywh: [0, 0, 100, 100], score: 0.9 },
      { img: 0, cat: 1, xywh: [200, 200, 100, 100], score: 0.8 },
    ]);
    expect(cocoEval(gt, dt).stats[6]).toBe(1); // AR@1 would be 0.5 if maxDets were per image
  });
  it('ties keep file order (stable sort): FP first → AP 0.5, TP first → AP 1', () => {
    const gt = handGt(1, 1, [{ img: 0, cat: 0, xywh: [0, 0, 100, 100] }]);
    const fp = { img: 0, cat: 0, xywh: [300, 300, 50, 50] as [number, number, number, number], score: 0.7 };
    const tp = { img: 0, cat: 0, xywh: [0, 0, 100, 100] as [number, number, number, number], score: 0.7 };
    expect(cocoEval(gt, handDt([fp, tp])).stats[1]).toBeCloseTo(0.5, 12);
    expect(cocoEval(gt, handDt([tp, fp])).stats[1]).toBeCloseTo(1, 14);
  });
  it('IoU >= threshold matches; an unmatched detection outside the area range is ignored', () => {
    // det covers half the GT area: IoU exactly 0.5 → matched at 0.5, not at 0.55+
    const gt = handGt(1, 1, [{ img: 0, cat: 0, xywh: [0, 0, 100, 100] }]);
    const r = cocoEval(gt, handDt([{ img: 0, cat: 0, xywh: [0, 0, 100, 50], score: 0.9 }]));
    expect(r.stats[1]).toBeCloseTo(1, 14);
    expect(r.stats[2]).toBe(0);
    expect(r.stats[0]).toBeCloseTo(0.1, 12);
    // large range: GT (10000) is large; a small unmatched det is ignored there, not a FP
    const r2 = cocoEval(gt, handDt([
      { img: 0, cat: 0, xywh: [400, 400, 10, 10], score: 0.95 },
      { img: 0, cat: 0, xywh: [0, 0, 100, 100], score: 0.9 },
    ]));
    expect(r2.stats[5]).toBeCloseTo(1, 14);
    expect(r2.stats[1]).toBeCloseTo(0.5, 12);
  });
});

describe('VOC rules', () => {
  it('difficult objects are neither TP nor FP, and not in npos', () => {
    const gt = handGt(1, 1, [
      { img: 0, cat: 0, xywh: [0, 0, 99, 99] },
      { img: 0, cat: 0, xywh: [300, 300, 99, 99], difficult: true },
    ]);
    const dt = handDt([
      { img: 0, cat: 0, xywh: [300, 300, 99, 99], score: 0.9 },
      { img: 0, cat: 0, xywh: [0, 0, 99, 99], score: 0.8 },
    ]);
    const r = vocEval(gt, dt);
    expect(r.perClass[0].npos).toBe(1);
    expect(r.mapAll).toBe(1);
  });
  it('+1 pixel convention and strict IoU > 0.5', () => {
    // GT 0..9 (10 px), det 0..4 (5 px wide, same height): +1 IoU = 50/100 = 0.5 → not a match
    const gt = handGt(1, 1, [{ img: 0, cat: 0, xywh: [0, 0, 9, 9] }]);
    const dt = handDt([{ img: 0, cat: 0, xywh: [0, 0, 4, 9], score: 0.9 }]);
    expect(vocEval(gt, dt).mapAll).toBe(0);
    // continuous: widths 9 and 4 → lowered by 1 → 8 and 3... IoU = (3+1)(8+1)/((8+1)(8+1)) = 4/9 < 0.5
    expect(vocEval(gt, dt, { continuous: true }).mapAll).toBe(0);
    const dt2 = handDt([{ img: 0, cat: 0, xywh: [0, 0, 5, 9], score: 0.9 }]); // 6·10/100 = 0.6 > 0.5
    expect(vocEval(gt, dt2).mapAll).toBe(1);
  });
  it('a second detection of a matched object is a FP (no fall-back)', () => {
    const gt = handGt(1, 1, [
      { img: 0, cat: 0, xywh: [0, 0, 99, 99] },
      { img: 0, cat: 0, xywh: [60, 0, 99, 99] },
    ]);
    const dt = handDt([
      { img: 0, cat: 0, xywh: [0, 0, 99, 99], score: 0.9 },
      { img: 0, cat: 0, xywh: [10, 0, 99, 99], score: 0.8 }, // best IoU with the taken first GT
    ]);
    const c = vocEval(gt, dt).perClass[0];
    expect(Array.from(c.precision)).toEqual([1, 0.5]);
    expect(Array.from(c.recall)).toEqual([0.5, 0.5]);
  });
  it('11-point thresholds: a recall of exactly 0.3 misses 0.30000000000000004', () => {
    const rec = [0.1, 0.2, 0.3];
    expect(vocAp11(rec, [1, 1, 1])).toBeCloseTo(3 / 11, 15);
  });
});

describe('test.py rules', () => {
  it('ap_per_class: class without predictions counts as 0; P/R interpolated at conf 0.1', () => {
    // class 0: 2 targets, dets conf 0.9 (TP), 0.05 (TP); class 1: 1 target, no predictions
    const tp = new Uint8Array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const r = apPerClass(tp, [0.9, 0.05], [0, 0], [0, 0, 1]);
    expect(Array.from(r.classes)).toEqual([0, 1]);
    // recall at conf 0.1 = interp between (−0.9, 0.5) and (−0.05, 1): 0.5 + 0.5·0.8/0.85
    expect(r.r[0]).toBeCloseTo(0.5 + (0.5 * 0.8) / 0.85, 12);
    expect(r.p[0]).toBe(1);
    expect(r.ap[10]).toBe(0);
    expect(r.r[1]).toBe(0);
  });
});

describe('boxes and letterbox', () => {
  it('IoU family on hand-computed boxes', () => {
    const a = [0, 0, 2, 2], b = [1, 1, 3, 3];
    expect(bboxIou(a, b)).toBeCloseTo(1 / 7, 12);
    expect(bboxIou(a, b, 'giou')).toBeCloseTo(1 / 7 - 2 / 9, 12);
    expect(bboxIou(a, b, 'diou')).toBeCloseTo(1 / 7 - 2 / 18, 12);
    expect(bboxIou(a, b, 'ciou')).toBeCloseTo(1 / 7 - 2 / 18, 12); // same aspect: v = 0
    expect(bboxIou([1, 1, 2, 2], [1, 1, 2, 2], 'iou', 'cxcywh')).toBeCloseTo(1, 12);
    expect(bboxIou([0, 0, 2, 1], [0, 0, 1, 2], 'ciou')).toBeLessThan(bboxIou([0, 0, 2, 1], [0, 0, 1, 2], 'diou'));
  });
  it('letterbox 640×480 → 640 (auto): pad 16 px top and bottom, and back', () => {
    const g = letterboxGeometry([480, 640], 640);
    expect(g.ratio).toEqual([1, 1]);
    expect(g.pad).toEqual([0, 16]);
    expect(g.shape).toEqual([512, 640]);
    const half = letterboxGeometry([480, 640], 320, { auto: false });
    expect(half.newUnpad).toEqual([320, 240]);
    expect(half.pad).toEqual([0, 40]);
    const boxesOnInput = new Float64Array([10, 50, 110, 90]);
    scaleCoords([320, 320], boxesOnInput, [480, 640], [[0.5, 0.5], [0, 40]]);
    expect(Array.from(boxesOnInput)).toEqual([20, 20, 220, 100]);
  });
});

describe('confusion matrix', () => {
  it('counts matches, confusions, misses and background detections', () => {
    const gt = handGt(1, 2, [
      { img: 0, cat: 0, xywh: [0, 0, 100, 100] },
      { img: 0, cat: 1, xywh: [200, 200, 100, 100] },
      { img: 0, cat: 1, xywh: [400, 0, 50, 50] },
    ]);
    const dt = handDt([
      { img: 0, cat: 0, xywh: [0, 0, 100, 100], score: 0.9 }, // correct
      { img: 0, cat: 0, xywh: [200, 200, 100, 100], score: 0.9 }, // class 1 seen as class 0
      { img: 0, cat: 1, xywh: [500, 300, 50, 50], score: 0.9 }, // background
    ]);
    const { matrix } = confusionMatrix(gt, dt);
    const at = (p: number, t: number): number => matrix[p * 3 + t];
    expect([at(0, 0), at(0, 1), at(2, 1), at(1, 2)]).toEqual([1, 1, 1, 1]);
    expect(matrix.reduce((s, v) => s + v, 0)).toBe(4);
  });
});
