/**
 * Piscina data worker: runs core's pure `loadSample` (decode, letterbox/mosaic, augment) off the main
 * thread. Each thread memoises the split's label index (read once from the label cache), so a task is
 * just the image work. `createDataWorkerPool` gives the `SampleSource` the DataLoader/train() accept.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import { loadSample } from '@distillery/core/node';
import { DataError, isDataError, type Sample, type SampleRequest, type SampleSource } from '@distillery/core';

/** A DataError travels back as data: structured cloning keeps only Error's message, not its class or fields. */
type WorkerResult = { sample: Sample } | { dataError: { file: string; problem: string } };

export default async function loadDataSample(request: SampleRequest): Promise<WorkerResult> {
  try {
    return { sample: await loadSample(request.description, request.split, request.index, request.options, request.seed) };
  } catch (e) {
    if (isDataError(e)) return { dataError: { file: e.file, problem: e.problem } };
    throw e;
  }
}

export interface DataWorkerPool {
  source: SampleSource;
  threads: number;
  close(): Promise<void>;
}

/**
 * A pool of `threads` data workers (default: cores - 1, at least 1). `execArgv` defaults to this
 * process's, which carries tsx's loader when the CLI runs under tsx.
 */
export function createDataWorkerPool(opts: { threads?: number; execArgv?: string[] } = {}): DataWorkerPool {
  const threads = opts.threads ?? Math.max(1, os.availableParallelism() - 1);
  const pool = new Piscina({
    filename: new URL(import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    execArgv: opts.execArgv ?? process.execArgv,
  });
  return {
    threads,
    source: async (request) => {
      const result = (await pool.run(request)) as WorkerResult;
      if ('dataError' in result) throw new DataError(result.dataError.file, result.dataError.problem);
      return result.sample;
    },
    close: () => pool.destroy(),
  };
}

