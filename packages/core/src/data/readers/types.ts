import type { BadSample } from '../types.ts';

/**
 * One image of a split and its labels, as read from the annotation files (and cached).
 * Label rows are flat `(cls, cx, cy, w, h)` normalised to the ORIGINAL image (upstream `self.labels`).
 */
export interface ImageRecord {
  /** Absolute image path. */
  file: string;
  width: number;
  height: number;
  labels: number[];
  /** Difficult (VOC) / crowd (COCO) boxes: kept for evaluation, never trained on. */
  ignored: number[];
}

/** What one reader returns for one split entry (one image set / json / list). */
export interface ReadResult {
  records: ImageRecord[];
  /** Images dropped for a problem (label outside the image, unknown class, malformed file...). */
  bad: BadSample[];
  /** True when the labels came from the label cache (no annotation file was parsed). */
  fromCache?: boolean;
}

/** A split, ready for sampling. */
export interface SplitIndex {
  split: string;
  names: string[];
  images: ImageRecord[];
  /** Images left out (only with badSamples 'skip'; with 'stop' the first problem throws). */
  bad: BadSample[];
  /** True when every part of the split came from the label cache. */
  fromCache: boolean;
}
