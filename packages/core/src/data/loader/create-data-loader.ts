/** Node entry: reads the split's labels (cached) and builds a `DataLoader` with an in-thread default source. */
import { readSplit } from '../readers/read-split.ts';
import { loadSample } from '../sample/load-sample.ts';
import { DataLoader, type DataLoaderOptions } from './data-loader.ts';
import type { SampleSource } from './sample-source.ts';

/** Runs `loadSample` on the calling thread (the default; the trainer injects a worker pool instead). */
export const inThreadSampleSource: SampleSource = (r) => loadSample(r.description, r.split, r.index, r.options, r.seed);

export type CreateDataLoaderOptions = Omit<DataLoaderOptions, 'index' | 'source'> & { source?: SampleSource };

export async function createDataLoader(options: CreateDataLoaderOptions): Promise<DataLoader> {
  const index = await readSplit(options.description, options.split, { badSamples: options.badSamples, cacheDir: options.cacheDir });
  return new DataLoader({ ...options, index, source: options.source ?? inThreadSampleSource });
}
