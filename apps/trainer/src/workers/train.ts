/**
 * Piscina worker: runs core's `train(config, opts)` off the main thread. Progress goes back to the main
 * thread through a MessagePort; epochs and artifacts wait for the main thread's acknowledgement (the
 * row is in the database) so that a checkpoint is never ahead of the metrics stored for it. The main
 * thread asks for a graceful stop by posting `{type: 'abort'}`: the AbortSignal given to `train`.
 */
import type { MessagePort } from 'node:worker_threads';
import type { RunConfig, TrainFunction, TrainResult } from '@distillery/core';
import type { FromTrainWorker, ToTrainWorker } from '../execution/messages.ts';

export interface TrainTask {
  config: RunConfig;
  runDir: string;
  resumeFrom?: string;
  datasetsDir?: string;
  port: MessagePort;
  /** Module exporting `train` (default `@distillery/core/node`); tests inject a fake trainer. */
  trainerModule: string;
}

/**
 * Node 20 does not apply the tsx loader's ESM hooks inside worker threads (only this entry file is
 * compiled, through its CommonJS hook), so the TypeScript packages are imported with tsx's `tsImport`.
 */
async function loadTrain(specifier: string): Promise<TrainFunction> {
  const { tsImport } = await import('tsx/esm/api');
  const mod = (await tsImport(specifier, import.meta.url)) as { train?: unknown };
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
  try {
    const train = await loadTrain(task.trainerModule);
    return await train(task.config, {
      runDir: task.runDir,
      resumeFrom: task.resumeFrom,
      signal: controller.signal,
      datasetsDir: task.datasetsDir,
      onEpoch: (metrics) => acknowledged((id) => ({ type: 'epoch', id, metrics })),
      onArtifact: (artifact) => acknowledged((id) => ({ type: 'artifact', id, artifact })),
      onStep: (progress) => post({ type: 'step', progress }),
      onLog: (line) => post({ type: 'log', line }),
    });
  } finally {
    port.close();
  }
}
