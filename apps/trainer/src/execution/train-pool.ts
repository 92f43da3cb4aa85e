/**
 * The Piscina pool that runs `workers/train.ts`. Only this module (and the worker files) know Piscina.
 * The worker is TypeScript: it gets the tsx loader, either inherited (the CLI runs under tsx) or added
 * (tests that drive the executor from Vitest).
 */
import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { TrainResult } from '@distillery/core';
import type { TrainTask } from '../workers/train.ts';

const TRAIN_WORKER = new URL('../workers/train.ts', import.meta.url);

function workerExecArgv(): string[] {
  if (process.execArgv.some((arg) => arg.includes('tsx'))) return process.execArgv;
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [...process.execArgv, '--import', loader];
}

export interface TrainJob {
  result: Promise<TrainResult>;
  /** Our end of the task's MessagePort. */
  port: MessagePort;
  destroy(): Promise<void>;
}

export function startTrainJob(task: Omit<TrainTask, 'port'>): TrainJob {
  const pool = new Piscina({
    filename: TRAIN_WORKER.href,
    minThreads: 1,
    maxThreads: 1,
    idleTimeout: 1000,
    execArgv: workerExecArgv(),
  });
  const { port1, port2 } = new MessageChannel();
  const result = pool.run({ ...task, port: port2 } satisfies TrainTask, { transferList: [port2] }) as Promise<TrainResult>;
  return {
    result,
    port: port1,
    destroy: async () => {
      port1.close();
      await pool.destroy();
    },
  };
}
