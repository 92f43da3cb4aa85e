/**
 * Piscina data worker: runs core's pure `loadSample` (decode, letterbox/mosaic, augment) off the main
 * thread. Each thread memoises the split's label index (read once from the label cache), so a task is
 * just the image work. `createDataWorkerPool` gives the `SampleSource` the DataLoader/train() accept.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import { loadSample } from '@distillery/core/node';
import type { Sample, SampleRequest, SampleSource } from '@distillery/core';

export default function loadDataSample(request: SampleRequest): Promise<Sample> {
  return loadSample(request.description, request.split, request.index, request.options, request.seed);
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
      try {
        return (await pool.run(request)) as Sample;
      } catch (e) {
        throw reviveDataError(e);
      }
    },
    close: () => pool.destroy(),
  };
}

/**
 * Errors cross the thread boundary as plain Errors (name/message kept, class lost); give a DataError
 * back its `file`/`problem` so the DataLoader's `badSamples: 'skip'` still recognises it.
 */
function reviveDataError(e: unknown): unknown {
  if (!(e instanceof Error) || e.name !== 'DataError' || 'file' in e) return e;
  const m = /^(.*?): (.*)$/s.exec(e.message);
  if (!m) return e;
  return Object.assign(e, { file: m[1], problem: m[2] });
}
