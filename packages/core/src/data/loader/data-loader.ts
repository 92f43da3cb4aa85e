/**
 * `DataLoader`: turns a split into batches. Per epoch: a seeded shuffle (training) or the upstream
 * rectangular order (evaluation), per-sample seeds from (seed, epoch, index), and a prefetch window of
 * `prefetch` batches whose samples are requested from the injectable `SampleSource` concurrently.
 * Only the prefetch window is ever held as pixels.
 */
import { isDataError } from '../errors.ts';
import type { DatasetDescription } from '../description/schema.ts';
import { mixSeed, Rng, sampleSeed } from '../random/rng.ts';
import type { SplitIndex } from '../readers/types.ts';
import { rectBatches, type RectPlan } from '../sample/rect-batches.ts';
import type { AugmentHyp, BadSample, BadSamplePolicy, Batch, Sample, SampleOptions } from '../types.ts';
import { collate } from './collate.ts';
import type { SampleSource } from './sample-source.ts';

export interface DataLoaderOptions {
  description: DatasetDescription;
  /** The split's label index (from `readSplit`, which the node entry's `createDataLoader` calls). */
  index: SplitIndex;
  split: string;
  source: SampleSource;
  batchSize: number;
  /** Training size, a multiple of 32. */
  img: number;
  /** Training augmentation (mosaic, affine, HSV, flip). */
  augment: boolean;
  hyp?: Partial<AugmentHyp>;
  /** Upstream rectangular evaluation batches (sorted by aspect ratio). Disables shuffling. */
  rect?: boolean;
  /** Rect padding in strides (upstream test.py 0.5, train.py 0). */
  rectPad?: number;
  /** Default: true when augmenting and not rect. */
  shuffle?: boolean;
  seed?: number;
  /** Batches requested ahead of the one being consumed. Default 2. */
  prefetch?: number;
  badSamples?: BadSamplePolicy;
  cacheDir?: string;
  /** Drop a last partial batch (keeps shapes fixed). Default false. */
  dropLast?: boolean;
}

export class DataLoader {
  readonly size: number;
  readonly batchSize: number;
  readonly names: string[];
  private readonly rectPlan?: RectPlan;
  private readonly loadTimeBad = new Map<string, BadSample>();

  constructor(readonly options: DataLoaderOptions) {
    if (options.batchSize < 1) throw new RangeError('batchSize must be >= 1');
    this.size = options.index.images.length;
    this.batchSize = options.batchSize;
    this.names = options.index.names;
    if (options.rect) {
      this.rectPlan = rectBatches(options.index.images, options.img, options.batchSize, 32, options.rectPad ?? 0.5);
    }
  }

  /** Batches per epoch. */
  get length(): number {
    return this.options.dropLast ? Math.floor(this.size / this.batchSize) : Math.ceil(this.size / this.batchSize);
  }

  /** Bad samples so far: those dropped when the labels were read, then those that failed to load. */
  get badSamples(): BadSample[] {
    return [...this.options.index.bad, ...this.loadTimeBad.values()];
  }

  /** The dataset indices of an epoch, in batch order. */
  epochOrder(epoch: number): number[] {
    if (this.rectPlan) return this.rectPlan.order;
    const order = Array.from({ length: this.size }, (_, i) => i);
    const shuffle = this.options.shuffle ?? this.options.augment;
    return shuffle ? new Rng(mixSeed(this.options.seed ?? 0, epoch, 0x5bff1e)).shuffle(order) : order;
  }

  private sampleOptions(batch: number): SampleOptions {
    const o = this.options;
    return {
      img: o.img,
      augment: o.augment,
      hyp: o.hyp,
      shape: this.rectPlan?.shapes[batch],
      badSamples: o.badSamples,
      cacheDir: o.cacheDir,
    };
  }

  private async loadBatch(epoch: number, batch: number, indices: number[]): Promise<Batch | undefined> {
    const o = this.options;
    const options = this.sampleOptions(batch);
    const settled = await Promise.allSettled(
      indices.map((index) =>
        o.source({ description: o.description, split: o.split, index, options, seed: sampleSeed(o.seed ?? 0, epoch, index) }),
      ),
    );
    const samples: Sample[] = [];
    const kept: number[] = [];
    settled.forEach((r, k) => {
      if (r.status === 'fulfilled') {
        samples.push(r.value);
        kept.push(indices[k]);
        for (const b of r.value.skipped ?? []) this.loadTimeBad.set(`${b.file}\n${b.problem}`, b);
      } else if (o.badSamples === 'skip' && isDataError(r.reason)) {
        this.loadTimeBad.set(`${r.reason.file}\n${r.reason.problem}`, { file: r.reason.file, problem: r.reason.problem });
      } else {
        throw r.reason;
      }
    });
    return samples.length ? collate(samples, kept) : undefined;
  }

  /** The batches of one epoch, prefetched. Breaking out early waits for the in-flight batches, then drops them. */
  async *epoch(epoch: number): AsyncGenerator<Batch> {
    const order = this.epochOrder(epoch);
    const n = this.length;
    const prefetch = Math.max(0, this.options.prefetch ?? 2);
    const pending: Promise<Batch | undefined>[] = [];
    let next = 0;
    const request = () => {
      const b = next++;
      const p = this.loadBatch(epoch, b, order.slice(b * this.batchSize, (b + 1) * this.batchSize));
      p.catch(() => {}); // rejections surface when awaited below, not as unhandled
      pending.push(p);
    };
    while (next < n && pending.length < prefetch + 1) request();
    try {
      while (pending.length > 0) {
        const batch = await pending.shift();
        if (next < n) request();
        if (batch) yield batch;
      }
    } finally {
      // On an early exit (break, error) let the prefetched work finish, so no sample is still being
      // loaded (e.g. in a worker pool about to be closed) after the consumer moved on.
      await Promise.allSettled(pending);
    }
  }
}
