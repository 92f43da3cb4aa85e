/**
 * `pnpm bench data [--data demo|DESCRIPTION] [--split train] [--img 320] [--batch 8] [--batches 10]
 *  [--threads N] [--no-augment] [--demo-dir DIR] [--json]`
 *
 * Data pipeline throughput: training batches (mosaic + affine + HSV + flip) per second, in-thread and
 * through the Piscina data workers, against the training speed they must feed: the upstream trains
 * mobile-yolo5s_voc at 6.72 images/s on this kind of machine (golden/timing_anchor.json), so a ratio
 * above 1 means loading is not the bottleneck. Also times the demo-set generation when it runs.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createDataLoader, resolveDataset, type CreateDataLoaderOptions } from '@distillery/core/node';
import { UsageError } from '../errors.ts';
import { createDataWorkerPool } from '../workers/data.ts';

const UPSTREAM_TRAIN_IMAGES_PER_S = 6.72;

async function throughput(opts: CreateDataLoaderOptions, batches: number): Promise<number> {
  const dl = await createDataLoader(opts);
  const t0 = performance.now();
  let images = 0;
  let n = 0;
  for await (const b of dl.epoch(0)) {
    images += b.shape[0];
    if (++n >= batches) break;
  }
  return images / ((performance.now() - t0) / 1000);
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string', default: 'demo' },
      split: { type: 'string', default: 'train' },
      img: { type: 'string', default: '320' },
      batch: { type: 'string', default: '8' },
      batches: { type: 'string', default: '10' },
      threads: { type: 'string' },
      'no-augment': { type: 'boolean', default: false },
      'demo-dir': { type: 'string', default: path.join(os.tmpdir(), 'distillery-demo') },
      json: { type: 'boolean', default: false },
    },
  });
  const num = (k: 'img' | 'batch' | 'batches' | 'threads', v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${k} must be a positive integer (got ${v})`);
    return n;
  };
  const img = num('img', values.img);
  const batchSize = num('batch', values.batch);
  const batches = num('batches', values.batches);
  const threads = values.threads ? num('threads', values.threads) : Math.max(1, os.availableParallelism() - 1);
  const tGen = performance.now();
  const description = await resolveDataset(values.data, { demoDir: values['demo-dir'] });
  const prepareSeconds = (performance.now() - tGen) / 1000;
  const opts: CreateDataLoaderOptions = { description, split: values.split, batchSize, img, augment: !values['no-augment'], seed: 0 };
  const inThread = await throughput(opts, batches);
  const pool = createDataWorkerPool({ threads });
  let pooled: number;
  try {
    await throughput({ ...opts, source: pool.source }, 1); // warm the workers (module load, label index)
    pooled = await throughput({ ...opts, source: pool.source, prefetch: threads + 1 }, batches);
  } finally {
    await pool.close();
  }
  const result = {
    data: values.data,
    img,
    batch: batchSize,
    augment: opts.augment,
    threads,
    prepareSeconds,
    inThreadImagesPerSec: inThread,
    workersImagesPerSec: pooled,
    ratioToUpstreamTraining: pooled / UPSTREAM_TRAIN_IMAGES_PER_S,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(
    [
      `data ${values.data} (${values.split}), img ${img}, batch ${batchSize}, augment ${opts.augment}`,
      `prepare (description / demo generation): ${prepareSeconds.toFixed(2)} s`,
      `in-thread: ${inThread.toFixed(1)} images/s`,
      `${threads} worker thread(s): ${pooled.toFixed(1)} images/s`,
      `ratio to upstream training speed (${UPSTREAM_TRAIN_IMAGES_PER_S} images/s): ${result.ratioToUpstreamTraining.toFixed(1)}x`,
    ].join('\n') + '\n',
  );
}
