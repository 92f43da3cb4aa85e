/**
 * Evaluation of a detector as upstream test.py does it after each epoch: eval-mode forward to the
 * decoded output, NMS (merge mode at conf 0.001, or train.py's `fast` mode during the burn-in), and
 * test.py's matching and ap_per_class, on letterboxed/rectangular validation batches. Targets are
 * compared in input pixels, as test.py does.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TestPyAccumulator, nonMaxSuppressionBatch, testPyMetrics } from '@distillery/eval';
import type { Batch } from '../data/types.ts';
import type { Detector } from '../strategies/strategy.ts';
import type { EvalMetrics } from './types.ts';
import { collectValImages, type ValImageSample } from './val-images.ts';

export interface EvaluateOptions {
  confThres: number;
  iouThres: number;
  fast: boolean;
  /** Stop after this many images (benchmarks). */
  maxImages?: number;
  /** Keep this many images with their targets and detections for the dashboard (default 0: none). */
  valImages?: number;
}

export interface DetailedEvalMetrics extends EvalMetrics {
  fitness: number;
  images: number;
  targets: number;
  /** With `valImages` > 0: the first evaluated images with ground truth and detections (score ≥ 0.25),
   *  in original pixels. */
  valImages?: ValImageSample[];
}

export async function evaluateDetector(model: Detector, batches: AsyncIterable<Batch>, o: EvaluateOptions): Promise<DetailedEvalMetrics> {
  const acc = new TestPyAccumulator();
  let seen = 0;
  const keep = o.valImages ?? 0;
  const valImages: ValImageSample[] = [];
  for await (const batch of batches) {
    const [b, h, w] = batch.shape;
    const decoded = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, [b, h, w, 3]);
      const out = model.forward(x, { training: false });
      if (!out.decoded) throw new Error('evaluation: the model returned no decoded output in eval mode');
      return out.decoded;
    });
    const [, rows, no] = decoded.shape;
    const flat = (await decoded.data()) as Float32Array;
    decoded.dispose();
    const dets = nonMaxSuppressionBatch(flat, b, rows, no, { confThres: o.confThres, iouThres: o.iouThres, fast: o.fast });
    const perImage: number[][] = Array.from({ length: b }, () => []);
    for (let i = 0; i < batch.nTargets; i++) {
      const t = batch.targets.subarray(i * 6, i * 6 + 6);
      // test.py: xywh2xyxy on the normalised float32 labels, then × [W, H, W, H].
      const f = Math.fround;
      const [cx, cy, bw, bh] = [t[2], t[3], t[4], t[5]];
      perImage[t[0]].push(t[1], f(f(cx - bw / 2) * w), f(f(cy - bh / 2) * h), f(f(cx + bw / 2) * w), f(f(cy + bh / 2) * h));
    }
    for (let i = 0; i < b; i++) acc.addImage(dets[i], perImage[i], w, h);
    if (valImages.length < keep) valImages.push(...collectValImages(batch, dets, keep - valImages.length));
    seen += b;
    if (o.maxImages !== undefined && seen >= o.maxImages) break;
  }
  const m = testPyMetrics(acc.stats(), model.nc);
  return { precision: m.mp, recall: m.mr, map50: m.map50, map5095: m.map50_95, fitness: m.fitness, images: m.images, targets: m.targets, ...(keep > 0 ? { valImages } : {}) };
}

/** train.py's `fitness`: 0.1·mAP@.5 + 0.9·mAP@.5:.95. */
export function fitnessOf(m: EvalMetrics): number {
  return 0.1 * m.map50 + 0.9 * m.map5095;
}
