/**
 * Piscina worker: runs core's `train(config, opts)` off the main thread. Progress goes back to the main
 * thread through a MessagePort; epochs and artifacts wait for the main thread's acknowledgement (the
 * row is in the database) so that a checkpoint is never ahead of the metrics stored for it. The main
 * thread asks for a graceful stop by posting `{type: 'abort'}`: the AbortSignal given to `train`.
 *
 * With the real trainer this thread also owns the two helper pools train() accepts: the data-loading
 * pool (`sampleSource`, prefetching decoded/augmented samples) and the evaluation pool (`evaluator`,
 * overlapping epoch N's mAP with epoch N+1's training). A config with `prune` is pruned by core's
 * `train()` (`pruneCheckpoint`), and the smaller network is what trains.
 */
import type { MessagePort } from 'node:worker_threads';
import type { RunConfig, TrainFunction, TrainOptions, TrainResult } from '@distillery/core';
import type { FromTrainWorker, ToTrainWorker } from '../execution/messages.ts';
import type * as DataWorker from './data.ts';
import type * as EpochEvalWorker from './epoch-eval.ts';

/** Knobs of a training job that are not part of the run config. */
export interface TrainJobOptions {
  /** Data-loading threads (0 = load in the training thread). */
  dataThreads?: number;
  /** Evaluate each epoch in a separate thread (overlapping the next epoch). */
  evalThread?: boolean;
}

export interface TrainTask {
  config: RunConfig;
  runDir: string;
  resumeFrom?: string;
  datasetsDir?: string;
  port: MessagePort;
  /** Module exporting `train` (default `@distillery/core/node`); tests inject a fake trainer. */
  trainerModule: string;
  options?: TrainJobOptions;
}

/**
 * Node 20 does not apply the tsx loader's ESM hooks inside worker threads (only this entry file is
 * compiled, through its CommonJS hook), so the TypeScript packages are imported with tsx's `tsImport`.
 */
async function importTs<T>(specifier: string): Promise<T> {
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(specifier, import.meta.url)) as T;
}

async function loadTrain(specifier: string): Promise<TrainFunction> {
  const mod = await importTs<{ train?: unknown }>(specifier);
  if (typeof mod.train !== 'function')
    throw new Error(`${specifier} does not export train() (the training loop has not landed yet)`);
  return mod.train as TrainFunction;
}

export default async function runTraining(task: TrainTask): Promise<TrainResult> {
  const { port } = task;
  const controller = new AbortController();
  const pending = new Map<number, () => void>();
  let nextId = 0;
  port.on('message', (message: ToTrainWorker) => {
    if (message.type === 'abort') controller.abort(message.reason);
    else if (message.type === 'ack') {
      pending.get(message.id)?.();
      pending.delete(message.id);
    }
  });
  const post = (message: FromTrainWorker) => port.postMessage(message);
  const acknowledged = (make: (id: number) => FromTrainWorker) =>
    new Promise<void>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      post(make(id));
    });
  const log = (line: string) => post({ type: 'log', line });
  const closers: Array<() => Promise<void>> = [];
  try {
    const train = await loadTrain(task.trainerModule);
    // A config with `prune` is pruned by core's train() itself (once, into the run folder).
    const config = task.config;
    const extra: Partial<TrainOptions> = {};
    const o = task.options ?? {};
    if (o.dataThreads && o.dataThreads > 0) {
      const { createDataWorkerPool } = await importTs<typeof DataWorker>(new URL('./data.ts', import.meta.url).href);
      const pool = createDataWorkerPool({ threads: o.dataThreads });
      closers.push(() => pool.close());
      extra.sampleSource = pool.source;
      log(`data: ${pool.threads} loader thread(s)`);
    }
    if (o.evalThread) {
      const { createEpochEvalPool } = await importTs<typeof EpochEvalWorker>(new URL('./epoch-eval.ts', import.meta.url).href);
      const pool = createEpochEvalPool();
      closers.push(() => pool.close());
      extra.evaluator = pool.evaluator;
    }
    return await train(config, {
      runDir: task.runDir,
      resumeFrom: task.resumeFrom,
      signal: controller.signal,
      datasetsDir: task.datasetsDir,
      onEpoch: (metrics) => acknowledged((id) => ({ type: 'epoch', id, metrics })),
      onArtifact: (artifact) => acknowledged((id) => ({ type: 'artifact', id, artifact })),
      onStep: (progress) => post({ type: 'step', progress }),
      onLog: log,
      ...extra,
    });
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    port.close();
  }
}
