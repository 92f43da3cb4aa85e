/**
 * Contract 3 (data batches): the shapes that flow from the data pipeline into the training loop.
 * Everything here is plain data (typed arrays, numbers, strings) so it crosses worker threads as is.
 */

/** How one image was placed into the network input, to map predictions back to original pixels. */
export interface SampleMeta {
  /** Original image size in pixels. */
  originalWidth: number;
  originalHeight: number;
  /**
   * Input pixels per original pixel, [x, y] (load resize × letterbox scale). Zero for a mosaic sample,
   * which has no single mapping back.
   */
  ratio: [number, number];
  /** Letterbox padding added on the left/top (upstream `pad`, may be fractional: half the total). */
  pad: [number, number];
  /** True when the sample is a mosaic (then ratio/pad do not map back to the file). */
  mosaic: boolean;
}

/** One loaded sample: 8-bit pixels (compact to pass between threads) plus normalised labels. */
export interface Sample {
  /** RGB, HWC, 0..255; `height * width * 3` bytes. */
  image: Uint8Array;
  height: number;
  width: number;
  /** Rows (cls, cx, cy, w, h), normalised to this sample's width/height (as upstream). */
  labels: Float32Array;
  /**
   * Boxes that evaluation must ignore (VOC `difficult`, COCO `iscrowd`), same row format.
   * Never used as training targets (upstream's voc_label.py drops difficult objects).
   */
  ignored: Float32Array;
  path: string;
  meta: SampleMeta;
  /** Files that failed to load while building this sample and were replaced (badSamples 'skip'). */
  skipped?: BadSample[];
}

/** A collated batch (contract 3). */
export interface Batch {
  /** NHWC float32 [b, h, w, 3], RGB in [0, 1]. */
  images: Float32Array;
  shape: [number, number, number];
  /** Rows (imageIndexInBatch, cls, cx, cy, w, h) normalised to the letterboxed input. */
  targets: Float32Array;
  nTargets: number;
  /** Difficult/crowd boxes, same row format as targets; for evaluation only. */
  ignored: Float32Array;
  nIgnored: number;
  paths: string[];
  meta: SampleMeta[];
  /** Position of each image in the split's image list (its dataset index). */
  indices: number[];
}

/** A sample that could not be used, and why. */
export interface BadSample {
  file: string;
  problem: string;
}

export type BadSamplePolicy = 'stop' | 'skip';

/** Augmentation hyper-parameters (the subset of the run config's `hyp` the data pipeline reads). */
export interface AugmentHyp {
  hsv_h: number;
  hsv_s: number;
  hsv_v: number;
  degrees: number;
  translate: number;
  scale: number;
  shear: number;
  fliplr: number;
  mosaic: number;
}

/** Upstream train.py defaults for the augmentation part of `hyp`. */
export const DEFAULT_AUGMENT_HYP: AugmentHyp = {
  hsv_h: 0.014,
  hsv_s: 0.68,
  hsv_v: 0.36,
  degrees: 0,
  translate: 0,
  scale: 0.5,
  shear: 0,
  fliplr: 0.5,
  mosaic: 1,
};

/** Options of one `loadSample` call; plain data so it can be sent to a worker. */
export interface SampleOptions {
  /** Training size (long side), a multiple of 32. */
  img: number;
  /** Training augmentation: mosaic, random affine, HSV, flip. */
  augment: boolean;
  hyp?: Partial<AugmentHyp>;
  /**
   * Letterbox target [h, w] (a rectangular evaluation batch shape). Default: square `img`.
   * Ignored for mosaic samples.
   */
  shape?: [number, number];
  /** Letterbox `auto`: pad only to a multiple of `stride` (minimum rectangle). Default false. */
  auto?: boolean;
  stride?: number;
  /** Letterbox may enlarge images smaller than the target (upstream: only when augmenting). */
  scaleup?: boolean;
  badSamples?: BadSamplePolicy;
  /** Folder for label caches when the data-set folder is not writable. */
  cacheDir?: string;
}
