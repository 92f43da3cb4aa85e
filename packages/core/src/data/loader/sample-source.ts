import type { DatasetDescription } from '../description/schema.ts';
import type { Sample, SampleOptions } from '../types.ts';

/** One `loadSample` call as plain data (what a worker thread receives). */
export interface SampleRequest {
  description: DatasetDescription;
  split: string;
  index: number;
  options: SampleOptions;
  seed: number;
}

/** Where samples come from: in-thread `loadSample` by default, or a worker pool (the trainer's Piscina). */
export type SampleSource = (request: SampleRequest) => Promise<Sample>;
