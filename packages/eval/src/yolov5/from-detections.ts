/**
 * test.py's metric on ground truth + detections read from files (instead of a live model): each
 * image's detections in file order play the NMS output, its non-crowd, non-difficult boxes the
 * targets (upstream's VOC labels drop difficult objects), clipped to the image size.
 * Split by image ranges for workers; concatenate the stats in image order.
 */
import type { Detections, GroundTruth } from '../dataset/types.ts';
import { concatTestPyStats, TestPyAccumulator, type TestPyStats } from './test-py-metrics.ts';

export function testPyStatsForImages(gt: GroundTruth, dt: Detections, from = 0, to = gt.images.length): TestPyStats {
  const nImg = gt.images.length;
  const gtBy: number[][] = Array.from({ length: nImg }, () => []);
  const dtBy: number[][] = Array.from({ length: nImg }, () => []);
  for (let i = 0; i < gt.count; i++) if (!gt.crowd[i] && !gt.difficult[i] && gt.image[i] >= from && gt.image[i] < to) gtBy[gt.image[i]].push(i);
  for (let i = 0; i < dt.count; i++) if (dt.image[i] >= from && dt.image[i] < to) dtBy[dt.image[i]].push(i);
  const acc = new TestPyAccumulator();
  for (let img = from; img < to; img++) {
    const g = gtBy[img], d = dtBy[img];
    const targets = new Float64Array(g.length * 5);
    g.forEach((i, j) => {
      targets[j * 5] = gt.category[i];
      targets.set(gt.xyxy.subarray(i * 4, i * 4 + 4), j * 5 + 1);
    });
    const pred = d.length ? new Float64Array(d.length * 6) : null;
    d.forEach((i, j) => {
      pred!.set(dt.xyxy.subarray(i * 4, i * 4 + 4), j * 6);
      pred![j * 6 + 4] = dt.score[i];
      pred![j * 6 + 5] = dt.category[i];
    });
    const { width, height } = gt.images[img];
    acc.addImage(pred, targets, width > 0 ? width : Infinity, height > 0 ? height : Infinity);
  }
  return acc.stats();
}

/** Image index ranges [from, to) for `parts` workers. */
export function partitionImages(nImages: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  const step = Math.ceil(nImages / Math.max(1, parts));
  for (let s = 0; s < nImages; s += step) out.push([s, Math.min(nImages, s + step)]);
  return out.length ? out : [[0, 0]];
}

export { concatTestPyStats };
