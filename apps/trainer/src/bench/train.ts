/**
 * `pnpm bench train [--json] [--model M] [--img N] [--batch N] [--workers N] [--steps N] [--epochs N]
 * [--batches N] [--backend wasm|cpu]`
 *
 * 1. Training-step speed, measured like the upstream anchor (`../shared/golden/timing_anchor.json`:
 *    mobile-yolo5s_voc, batch 8, 320x320, 2 threads, 6.72 images/s): random input, 4 targets per image,
 *    train-mode forward + compute_loss + backward + Nesterov SGD step (three groups), median of
 *    `--steps` after one warm-up — with `--workers` data-parallel replicas, and with 1 for the speed-up.
 * 2. (not with --json) A short real run of `train()` on the demo set and on coco128 when present:
 *    images/s and mAP per epoch, `--batches` batches per epoch.
 * `--json` prints only `{"model","img","batch","backend","workers","imagesPerSec"}` of part 1.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { HypSchema, createOptimizer, effectiveLossHyp, lossMetaFromModel, nominalBatchScale, parseRunConfig } from '@distillery/core';
import { ReplicaPool, computeGradientsChunked, createTrainingModel, defaultMicroBatch, defaultModelFactory, resolveModelYaml, train } from '@distillery/core/node';
import { initEngine } from '@distillery/models/node';
import { UsageError } from '../errors.ts';

/** The upstream number to beat, if the shared golden folder is not there to read it from. */
const UPSTREAM_FALLBACK = { imagesPerSec: 6.72, batch: 8, size: 320, model: 'mobile-yolo5s_voc.yaml' };

function sharedDir(): string {
  return process.env.DISTILLERY_SHARED ?? path.resolve(fileURLToPath(new URL('../../../../', import.meta.url)), '../shared');
}

async function upstreamAnchor(model: string, batch: number, img: number): Promise<{ imagesPerSec: number; source: string } | undefined> {
  try {
    const j = JSON.parse(await readFile(path.join(sharedDir(), 'golden', 'timing_anchor.json'), 'utf8')) as {
      runs: Record<string, Array<{ model: string; what: string; batch: number; size: number; images_per_s: number }>>;
    };
    const row = j.runs.threads_2?.find((r) => r.model === `${model}.yaml` && r.what === 'train_step' && r.batch === batch && r.size === img);
    return row ? { imagesPerSec: row.images_per_s, source: 'timing_anchor.json (2 threads)' } : undefined;
  } catch {
    return model === 'mobile-yolo5s_voc' && batch === UPSTREAM_FALLBACK.batch && img === UPSTREAM_FALLBACK.size
      ? { imagesPerSec: UPSTREAM_FALLBACK.imagesPerSec, source: 'upstream anchor (built-in copy)' }
      : undefined;
  }
}

function int(v: string | undefined, name: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`bench train: --${name} must be an integer >= ${min}, got "${v}"`);
  return n;
}

/** Median seconds of training steps on random input with `workers` replicas. */
async function timeSteps(o: { model: string; img: number; batch: number; workers: number; backend: string; steps: number }): Promise<number> {
  const { yaml } = await resolveModelYaml(o.model);
  const nc = 20;
  const model = createTrainingModel({ yaml, nc, seed: 0 });
  const hyp = effectiveLossHyp(HypSchema.parse({}), nc);
  const lossMeta = lossMetaFromModel(model);
  const trainable = model.namedParameters();
  const optimizer = createOptimizer(trainable, { kind: 'sgd', lr0: 0.01, momentum: 0.937, weightDecay: 5e-4 * nominalBatchScale(o.batch) });
  const microBatch = defaultMicroBatch(o.backend, o.img);
  const pool =
    o.workers > 1
      ? await ReplicaPool.start({ replicas: o.workers, backend: o.backend, factory: defaultModelFactory({ yaml, nc, seed: 0 }), trainable, hyp, lossMeta, microBatch })
      : undefined;
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const images = Float32Array.from({ length: o.batch * o.img * o.img * 3 }, rand);
  const rows: number[] = [];
  for (let i = 0; i < o.batch; i++) for (let k = 0; k < 4; k++) rows.push(i, k % nc, 0.2 + 0.6 * rand(), 0.2 + 0.6 * rand(), 0.05 + 0.3 * rand(), 0.05 + 0.3 * rand());
  const part = { images, shape: [o.batch, o.img, o.img] as [number, number, number], targets: Float32Array.from(rows), nTargets: rows.length / 6 };
  const times: number[] = [];
  try {
    for (let s = 0; s <= o.steps; s++) {
      const t0 = performance.now();
      const at = { epoch: 0, iteration: s };
      const local = (p: typeof part) => computeGradientsChunked({ model, trainable, ...p, lossMeta, hyp, strategies: [], ...at }, microBatch);
      const r = pool ? await pool.gradients({ ...part, images: images.slice() }, at, local) : await local(part);
      optimizer.step(r.grads);
      r.grads.forEach((g) => g.dispose());
      pool?.publish(trainable);
      if (s > 0) times.push((performance.now() - t0) / 1000);
    }
  } finally {
    await pool?.close();
    optimizer.dispose();
    model.dispose();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function coco128Data(dir: string): Promise<string | undefined> {
  const root = path.join(sharedDir(), 'datasets', 'coco128');
  try {
    await stat(path.join(root, 'images', 'train2017'));
  } catch {
    return undefined;
  }
  const file = path.join(dir, 'coco128.yaml');
  const names = Array.from({ length: 80 }, (_, i) => `class${i}`);
  await writeFile(file, JSON.stringify({ path: root, train: 'images/train2017', val: 'images/train2017', nc: 80, names }));
  return file;
}

export async function run(args: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        model: { type: 'string', default: 'mobile-yolo5s_voc' },
        img: { type: 'string', default: '320' },
        batch: { type: 'string', default: '8' },
        workers: { type: 'string', default: String(availableParallelism()) },
        steps: { type: 'string', default: '3' },
        epochs: { type: 'string', default: '2' },
        batches: { type: 'string', default: '4' },
        backend: { type: 'string', default: 'wasm' },
      },
    }));
  } catch (e) {
    throw new UsageError(`bench train: ${(e as Error).message}`);
  }
  const img = int(values.img, 'img', 32);
  if (img % 32 !== 0) throw new UsageError(`bench train: --img must be a multiple of 32, got ${img}`);
  const batch = int(values.batch, 'batch');
  const workers = int(values.workers, 'workers');
  const steps = int(values.steps, 'steps');
  const backend = values.backend;
  if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`bench train: --backend must be wasm or cpu (data-parallel replicas), got "${backend}"`);
  const out = (line: string) => {
    if (!values.json) process.stdout.write(`${line}\n`);
  };

  const engine = await initEngine({ backend });
  out(`engine: ${engine.backend} — ${engine.reason}`);
  const seconds = await timeSteps({ model: values.model, img, batch, workers, backend: engine.backend, steps });
  const imagesPerSec = batch / seconds;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ model: values.model, img, batch, backend: engine.backend, workers, imagesPerSec })}\n`);
    return;
  }
  const anchor = await upstreamAnchor(values.model, batch, img);
  out(`train step ${values.model} ${batch}x${img}² ${workers} worker(s): ${seconds.toFixed(3)} s = ${imagesPerSec.toFixed(2)} images/s`);
  if (workers > 1) {
    const single = batch / (await timeSteps({ model: values.model, img, batch, workers: 1, backend: engine.backend, steps }));
    out(`  1 worker: ${single.toFixed(2)} images/s → data-parallel speed-up ×${(imagesPerSec / single).toFixed(2)}`);
  }
  if (anchor) out(`  upstream PyTorch (${anchor.source}): ${anchor.imagesPerSec.toFixed(2)} images/s → ratio ${(imagesPerSec / anchor.imagesPerSec).toFixed(3)}`);
  else out('  no upstream anchor for this model/batch/size');

  // Part 2: short real runs.
  const dir = await mkdtemp(path.join(tmpdir(), 'distillery-bench-train-'));
  try {
    const sets: Array<[string, string]> = [['demo', 'demo']];
    const coco = await coco128Data(dir);
    if (coco) sets.push(['coco128', coco]);
    for (const [name, data] of sets) {
      out(`\n${name}: ${values.epochs} epoch(s) of ${values.batches} batch(es), ${values.model} at ${img}`);
      const config = parseRunConfig({ model: values.model, data, img, batch, epochs: int(values.epochs, 'epochs'), backend: engine.backend, workers, seed: 0 });
      const result = await train(config, {
        runDir: path.join(dir, name),
        maxBatchesPerEpoch: int(values.batches, 'batches'),
        maxEvalImages: 4 * batch,
        onLog: (l) => out(`  ${l}`),
      });
      out(`  ${name}: ${result.epochs.map((m) => `epoch ${m.epoch + 1}: ${m.imagesPerSec.toFixed(2)} img/s, mAP@.5 ${m.map50.toFixed(4)}`).join('; ')}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    tf.disposeVariables();
  }
}
