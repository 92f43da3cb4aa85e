/**
 * `pnpm trainer eval --gt PATH --dt FILE --metric coco|voc07|voc|yolov5 [--json] [--split NAME] [--continuous]`
 *
 * Scores detections against ground truth with the reference rules (pycocotools COCOeval, voc_eval,
 * upstream test.py) from `@distillery/eval`, split over worker threads for large sets.
 * `--gt`: a COCO JSON file, a VOC folder (image list from `--split`) or a YOLO folder (images + labels).
 * `--dt`: COCO results (`image_id, category_id, bbox [x,y,w,h], score`) or VOC form
 * (`image_id, category, bbox [xmin,ymin,xmax,ymax], score`).
 * `--json` prints: coco `{"stats": [...12], "perClass": {"<category id>": AP}}`; voc07/voc
 * `{"mAP", "perClass": {"<class>": AP}}`; yolov5 `{"mP","mR","mAP50","mAP50_95","fitness","perClass"}`.
 */
import type { Command } from 'commander';
import Table from 'cli-table3';
import {
  EvalInputError,
  cocoJson,
  formatCocoSummary,
  formatTestPyLine,
  vocJson,
  yolov5Json,
  type Detections,
  type GroundTruth,
} from '@distillery/eval';
import { readDetectionsFile, readGroundTruth } from '@distillery/eval/node';
import { UsageError } from '../errors.ts';
import { evaluateCheckpoint } from '../evaluation/evaluate-checkpoint.ts';
import { createEvalPool } from '../workers/eval.ts';

export const METRICS = ['coco', 'voc07', 'voc', 'yolov5'] as const;
export type EvalMetric = (typeof METRICS)[number];

export interface EvalCommandOptions {
  gt?: string;
  img?: string;
  backend?: string;
  dt?: string;
  weights?: string;
  data?: string;
  metric?: string;
  json?: boolean;
  split?: string;
  continuous?: boolean;
  names?: string;
  cocoIds?: boolean;
  format?: string;
  threads?: string;
}

/** Below this many detections, worker threads cost more than they save. */
const PARALLEL_MIN_DETECTIONS = 20000;

export function register(program: Command): void {
  program
    .command('eval')
    .description('score detections against ground truth (COCO, VOC07 11-point, VOC all-point, upstream test.py)')
    .option('--gt <path>', 'ground truth: COCO JSON file, VOC folder or YOLO folder')
    .option('--dt <file>', 'detections JSON (COCO results or VOC form)')
    .option('--weights <checkpoint>', 'run a checkpoint on the data set instead of reading --dt')
    .option('--data <dataset>', 'data set for --weights: a data-set YAML or "demo"')
    .option('--img <n>', 'image size for --weights (default 640)')
    .option('--backend <name>', 'compute engine for --weights')
    .option('--metric <name>', `one of ${METRICS.join(', ')} (with --weights: yolov5, test.py's)`)
    .option('--json', 'print machine-readable JSON')
    .option('--split <name>', 'VOC image list (ImageSets/Main/<name>.txt) or YOLO sub-folder')
    .option('--continuous', 'VOC metrics: plain float IoU instead of the +1 pixel convention')
    .option('--names <list>', 'comma-separated class names (YOLO ground truth; fixes the VOC class list)')
    .option('--coco-ids', 'YOLO ground truth: class k has COCO category id coco80_to_coco91[k]')
    .option('--format <form>', 'detections form: auto, coco or voc', 'auto')
    .option('--threads <n>', 'worker threads (0 = in this thread; default: 2 for large inputs)')
    .action(async (opts: EvalCommandOptions) => {
      const out = await runEval(opts);
      process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
    });
}

function loadInputs(opts: EvalCommandOptions): { gt: GroundTruth; dt: Detections } {
  try {
    if (!opts.gt) throw new UsageError('give --gt PATH (ground truth) with --dt, or --weights CKPT with --data DATA');
    const gt = readGroundTruth(opts.gt, { split: opts.split, names: opts.names?.split(',').map((s) => s.trim()), cocoIds: opts.cocoIds });
    if (!opts.dt) throw new UsageError('give --dt FILE (detections)');
    const format = opts.format ?? 'auto';
    if (format !== 'auto' && format !== 'coco' && format !== 'voc') throw new UsageError(`--format must be auto, coco or voc (got "${format}")`);
    return { gt, dt: readDetectionsFile(opts.dt, gt, format) };
  } catch (error) {
    if (error instanceof EvalInputError) throw new UsageError(error.message);
    throw error;
  }
}

/** Runs the evaluation and returns what the command prints. */
export async function runEval(opts: EvalCommandOptions): Promise<string> {
  if (!opts.dt && (opts.weights || opts.data)) return evalCheckpointCommand(opts);
  const metric = opts.metric as EvalMetric;
  if (!METRICS.includes(metric)) throw new UsageError(`--metric must be one of ${METRICS.join(', ')} (got "${opts.metric}")`);
  const { gt, dt } = loadInputs(opts);
  let threads = opts.threads === undefined ? (dt.count >= PARALLEL_MIN_DETECTIONS ? 2 : 0) : Number(opts.threads);
  if (!Number.isInteger(threads) || threads < 0) throw new UsageError(`--threads must be a non-negative integer (got "${opts.threads}")`);
  threads = Math.min(threads, 16);
  const pool = createEvalPool({ threads });
  try {
    if (metric === 'coco') {
      const r = await pool.coco(gt, dt);
      if (opts.json) return JSON.stringify(cocoJson(r));
      const table = new Table({ head: ['category', 'id', 'AP', 'AP50', 'AP75'] });
      for (const c of r.perCategory) table.push([c.category.name, c.category.id, fmt(c.ap), fmt(c.ap50), fmt(c.ap75)]);
      return `${formatCocoSummary(r.eval, r.stats).join('\n')}\n${table.toString()}`;
    }
    if (metric === 'voc07' || metric === 'voc') {
      const r = await pool.voc(gt, dt, { continuous: Boolean(opts.continuous) });
      const method = metric === 'voc07' ? '11point' : 'allpoint';
      const json = vocJson(r, method);
      if (opts.json) return JSON.stringify(json);
      const table = new Table({ head: ['class', 'GT (non-difficult)', 'detections', metric === 'voc07' ? 'AP (VOC07 11-point)' : 'AP (all-point)'] });
      for (const c of r.perClass) if (c.npos > 0) table.push([c.category.name, c.npos, c.nDets, fmt(method === '11point' ? c.ap11 : c.apAll)]);
      table.push(['mAP', '', '', fmt(json.mAP)]);
      return `${table.toString()}\n${opts.continuous ? 'continuous coordinates' : '+1 pixel convention (voc_eval)'}, ${r.nClassesInMean} classes in the mean`;
    }
    const m = await pool.yolov5(gt, dt);
    if (opts.json) return JSON.stringify(yolov5Json(m, gt.categories));
    const head = `${'Class'.padStart(20)}${['Images', 'Targets', 'P', 'R', 'mAP@.5', 'mAP@.5:.95'].map((s) => s.padStart(12)).join('')}`;
    const lines = [head, formatTestPyLine('all', m.images, m.targets, m.mp, m.mr, m.map50, m.map50_95)];
    for (const c of m.perClass) lines.push(formatTestPyLine(gt.categories[c.cls]?.name ?? String(c.cls), m.images, c.nTargets, c.p, c.r, c.ap50, c.ap50_95));
    return lines.join('\n');
  } finally {
    await pool.close();
  }
}

const fmt = (v: number): string => (v < 0 ? '-' : v.toFixed(4));

/** `--weights CKPT --data DATA` (wired by the trainer integration): the model runs, then test.py's metrics. */
async function evalCheckpointCommand(opts: EvalCommandOptions): Promise<string> {
  if (!opts.weights || !opts.data) throw new UsageError('eval from a checkpoint needs both --weights CKPT (or run id) and --data DATA');
  if (opts.metric !== undefined && opts.metric !== 'yolov5') throw new UsageError(`--weights evaluates with test.py's metrics (--metric yolov5), not "${opts.metric}"`);
  const img = opts.img === undefined ? undefined : Number(opts.img);
  if (img !== undefined && !(Number.isInteger(img) && img % 32 === 0 && img > 0)) throw new UsageError(`--img must be a positive multiple of 32 (got "${opts.img}")`);
  const r = await evaluateCheckpoint({ weights: opts.weights, data: opts.data, split: opts.split, img, backend: opts.backend });
  if (opts.json) return JSON.stringify({ mP: r.precision, mR: r.recall, mAP50: r.map50, mAP50_95: r.map5095, fitness: r.fitness, images: r.images, targets: r.targets, weights: r.weights, split: r.split, img: r.img, backend: r.backend });
  return `${'Class'.padStart(20)}${['Images', 'Targets', 'P', 'R', 'mAP@.5', 'mAP@.5:.95'].map((s) => s.padStart(12)).join('')}\n${formatTestPyLine('all', r.images, r.targets, r.precision, r.recall, r.map50, r.map5095)}\n(${r.weights} on ${r.data}/${r.split} at ${r.img}, ${r.backend})`;
}
