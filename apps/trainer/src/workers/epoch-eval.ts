/**
 * Piscina worker that evaluates one epoch's EMA weights (core's `evaluateRequest`: build the model from
 * the request's YAML, run the validation split, NMS, test.py metrics). Given to `train()` as its
 * `evaluator`, so the evaluation of epoch N runs here while epoch N+1 trains.
 */
import { Piscina } from 'piscina';
import * as tf from '@tensorflow/tfjs-core';
import { evaluateRequest } from '@distillery/core/node';
import type { EvalMetrics, EvalRequest, Evaluator } from '@distillery/core';

interface EvalTask {
  request: EvalRequest;
  backend: string;
}

export default async function evaluateEpoch(task: EvalTask): Promise<EvalMetrics> {
  const m = await evaluateRequest(task.request, { backend: task.backend });
  // The validation images (GT + detections) ride along: train() writes them for the dashboard.
  return { precision: m.precision, recall: m.recall, map50: m.map50, map5095: m.map5095, ...(m.valImages ? { valImages: m.valImages } : {}) };
}

export interface EpochEvalPool {
  evaluator: Evaluator;
  close(): Promise<void>;
}

/**
 * One evaluation thread, started on the first request. On tfjs-node the native addon must stay in one
 * thread (tensorflow/tfjs#8388), so there the evaluation runs in the calling (training) thread.
 */
export function createEpochEvalPool(opts: { execArgv?: string[] } = {}): EpochEvalPool {
  let pool: Piscina | null = null;
  return {
    evaluator: async (request) => {
      const backend = tf.getBackend();
      if (backend === 'tensorflow') return evaluateEpoch({ request, backend });
      pool ??= new Piscina({ filename: new URL(import.meta.url).href, minThreads: 1, maxThreads: 1, execArgv: opts.execArgv ?? process.execArgv });
      return (await pool.run({ request, backend } satisfies EvalTask)) as EvalMetrics;
    },
    close: async () => {
      await pool?.destroy();
    },
  };
}
