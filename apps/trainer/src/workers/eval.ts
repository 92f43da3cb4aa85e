/**
 * Piscina evaluation worker + the pool that splits an evaluation over it. The eval package exposes
 * pure per-category (COCO, VOC) and per-image-range (test.py) functions and their merges; this file
 * only ships typed arrays to threads and back. Each thread gets the ground truth and only the
 * detections of its own categories, so the copy cost stays a fraction of the work.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import {
  concatTestPyStats,
  evaluateCocoCategories,
  finishCocoEval,
  finishVocEval,
  partitionCategories,
  partitionImages,
  selectDetections,
  testPyMetrics,
  testPyStatsForImages,
  vocEvalClasses,
  type CocoCategoryResult,
  type CocoResult,
  type Detections,
  type GroundTruth,
  type TestPyMetrics,
  type TestPyStats,
  type VocClassResult,
  type VocOptions,
  type VocResult,
} from '@distillery/eval';

export type EvalTask =
  | { kind: 'coco'; gt: GroundTruth; dt: Detections; categories: number[] }
  | { kind: 'voc'; gt: GroundTruth; dt: Detections; categories: number[]; options: VocOptions }
  | { kind: 'yolov5'; gt: GroundTruth; dt: Detections; from: number; to: number };

export type EvalTaskResult = CocoCategoryResult[] | VocClassResult[] | TestPyStats;

/** The worker body (also callable in-thread). */
export default function runEvalTask(task: EvalTask): EvalTaskResult {
  switch (task.kind) {
    case 'coco':
      return evaluateCocoCategories(task.gt, task.dt, task.categories);
    case 'voc':
      return vocEvalClasses(task.gt, task.dt, task.categories, task.options);
    case 'yolov5':
      return testPyStatsForImages(task.gt, task.dt, task.from, task.to);
  }
}

/** Detections of the given categories only (what one COCO/VOC task needs). */
function detectionsOf(dt: Detections, categories: number[]): Detections {
  const keep = new Uint8Array(Math.max(0, ...categories) + 1);
  for (const k of categories) keep[k] = 1;
  const idx: number[] = [];
  for (let i = 0; i < dt.count; i++) if (keep[dt.category[i]]) idx.push(i);
  return selectDetections(dt, idx);
}

export interface EvalPool {
  threads: number;
  coco(gt: GroundTruth, dt: Detections): Promise<CocoResult>;
  voc(gt: GroundTruth, dt: Detections, options?: VocOptions): Promise<VocResult>;
  yolov5(gt: GroundTruth, dt: Detections): Promise<TestPyMetrics>;
  close(): Promise<void>;
}

/**
 * `threads` worker threads (default: min(2, cores)). With `threads: 0` everything runs in this thread
 * (small inputs: spinning up workers costs more than it saves).
 */
export function createEvalPool(opts: { threads?: number; execArgv?: string[] } = {}): EvalPool {
  const threads = opts.threads ?? Math.min(2, os.availableParallelism());
  const pool =
    threads > 0
      ? new Piscina({ filename: new URL(import.meta.url).href, minThreads: threads, maxThreads: threads, execArgv: opts.execArgv ?? process.execArgv })
      : null;
  const run = async <T extends EvalTaskResult>(task: EvalTask): Promise<T> => (pool ? ((await pool.run(task)) as T) : (runEvalTask(task) as T));
  const parts = Math.max(1, threads);
  return {
    threads,
    async coco(gt, dt) {
      const lists = partitionCategories(gt, dt, parts).filter((l) => l.length);
      const results = await Promise.all(lists.map((categories) => run<CocoCategoryResult[]>({ kind: 'coco', gt, dt: detectionsOf(dt, categories), categories })));
      return finishCocoEval(gt, results.flat());
    },
    async voc(gt, dt, options = {}) {
      const lists = partitionCategories(gt, dt, parts).filter((l) => l.length);
      const results = await Promise.all(lists.map((categories) => run<VocClassResult[]>({ kind: 'voc', gt, dt: detectionsOf(dt, categories), categories, options })));
      // results come back as clones: order classes by category id position, not object identity
      const pos = new Map(gt.categories.map((c, k) => [c.id, k] as const));
      return finishVocEval(results.flat().sort((a, b) => (pos.get(a.category.id) ?? 0) - (pos.get(b.category.id) ?? 0)));
    },
    async yolov5(gt, dt) {
      const ranges = partitionImages(gt.images.length, parts);
      const stats = await Promise.all(ranges.map(([from, to]) => run<TestPyStats>({ kind: 'yolov5', gt, dt, from, to })));
      return testPyMetrics(concatTestPyStats(stats), gt.categories.length);
    },
    close: async () => {
      if (pool) await pool.destroy();
    },
  };
}
