/**
 * pycocotools keeps `_gts[imgId, catId]` / `_dts[imgId, catId]` lists. Here the same grouping is two
 * counting sorts into flat index arrays keyed by (category, image rank), where image rank is the
 * position of the image in ascending-id order (pycocotools' `sorted(getImgIds())`), because the
 * accumulation concatenates images in that order and its stable sort breaks score ties by it.
 * Within a group ground truth keeps file order; detections are sorted by descending score (stable).
 */
import type { Detections, GroundTruth } from '../dataset/types.ts';
import { argsortDescendingStable } from '../numeric/radix-sort.ts';

export interface CocoGrouping {
  nImages: number;
  nCats: number;
  /** image index → rank in ascending-id order */
  imageRank: Int32Array;
  /** `[nCats·nImages + 1]` offsets into `gtIdx` for key `cat·nImages + rank`. */
  gtStart: Int32Array;
  gtIdx: Int32Array;
  dtStart: Int32Array;
  /** Detection indices; within a group by descending score, ties in file order. */
  dtIdx: Int32Array;
}

/** Ascending-id image order (numbers numerically, strings by code unit like Python's sort). */
export function imageRanks(gt: GroundTruth): Int32Array {
  const order = gt.images.map((_, i) => i);
  order.sort((a, b) => {
    const x = gt.images[a].id, y = gt.images[b].id;
    if (typeof x === 'number' && typeof y === 'number') return x - y || a - b;
    const sx = String(x), sy = String(y);
    return sx < sy ? -1 : sx > sy ? 1 : a - b;
  });
  const rank = new Int32Array(order.length);
  order.forEach((img, r) => (rank[img] = r));
  return rank;
}

/** Stable bucket sort of `order` (default 0..n-1) by key: groups keep the order they are fed in. */
function countingSort(n: number, keyOf: (i: number) => number, nKeys: number, order?: Int32Array): { start: Int32Array; idx: Int32Array } {
  const start = new Int32Array(nKeys + 1);
  for (let i = 0; i < n; i++) start[keyOf(i) + 1]++;
  for (let k = 0; k < nKeys; k++) start[k + 1] += start[k];
  const fill = start.slice(0, nKeys);
  const idx = new Int32Array(n);
  for (let q = 0; q < n; q++) {
    const i = order ? order[q] : q;
    idx[fill[keyOf(i)]++] = i;
  }
  return { start, idx };
}

export function groupCoco(gt: GroundTruth, dt: Detections): CocoGrouping {
  const nImages = gt.images.length, nCats = gt.categories.length;
  const imageRank = imageRanks(gt);
  const nKeys = nCats * nImages;
  const g = countingSort(gt.count, (i) => gt.category[i] * nImages + imageRank[gt.image[i]], nKeys);
  // Feeding detections in global descending-score order (stable) leaves every group sorted, ties in file order.
  const byScore = argsortDescendingStable(dt.score, dt.count);
  const d = countingSort(dt.count, (i) => dt.category[i] * nImages + imageRank[dt.image[i]], nKeys, byScore);
  return { nImages, nCats, imageRank, gtStart: g.start, gtIdx: g.idx, dtStart: d.start, dtIdx: d.idx };
}
