/**
 * `pnpm bench train [--json] [--model M] [--img N] [--batch N] [--workers N] [--steps N] [--epochs N]
 * [--batches N] [--backend wasm|cpu] [--strategy distill-output|distill-feature|sparsity] [--teacher CKPT|MODEL]
 * [--converter conv-bn-relu6|conv]`
 *
 * 1. Training-step speed, measured like the upstream anchor (`../shared/golden/timing_anchor.json`:
 *    mobile-yolo5s_voc, batch 8, 320x320, 2 threads, 6.72 images/s): random input, 4 targets per image,
 *    train-mode forward + compute_loss + backward + Nesterov SGD step (three groups), median of
 *    `--steps` after one warm-up — with `--workers` data-parallel replicas, and with 1 for the speed-up.
 * 2. (not with --json) A short real run of `train()` on the demo set and on coco128 when present:
 *    images/s and mAP per epoch, `--batches` batches per epoch.
 * `--json` prints only `{"model","img","batch","backend","workers","imagesPerSec"}` of part 1 (+ `"strategy"`).
 *
 * `--strategy` adds a training strategy to both parts, run in every replica: distillation from `--teacher`,
 * a checkpoint written by `train` (its nc is then the student's) or a model (zoo name or YAML; random
 * weights — enough for speed; default yolov5s_voc), or sparse training.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { DEMO_CLASS_NAMES, HypSchema, createOptimizer, effectiveLossHyp, lossMetaFromModel, nominalBatchScale, parseRunConfig, type Detector } from '@distillery/core';
import {
  CHECKPOINT_FORMAT,
  ReplicaPool,
  computeGradientsChunked,
  createTrainingModel,
  defaultMicroBatch,
  defaultModelFactory,
  loadTeacherCheckpoint,
  readCheckpoint,
  replicaStrategies,
  resolveModelYaml,
  setUpRunStrategies,
  train,
  trainableVariables,
} from '@distillery/core/node';
import { readSafetensorsFile } from '@distillery/models/node';
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

/** A `--strategy` for the bench: its run-config spec, the teacher loader, and the nc a checkpoint teacher fixes. */
interface BenchStrategy {
  spec: Record<string, unknown>;
  /** The teacher for a student of `nc` classes. */
  loadTeacher(nc: number): (ref: string) => Promise<Detector>;
  nc?: number;
}

async function benchStrategy(kind: string | undefined, teacher: string, converter: string): Promise<BenchStrategy | undefined> {
  if (kind === undefined || kind === 'none') return undefined;
  if (kind === 'sparsity') return { spec: { kind }, loadTeacher: () => () => Promise.reject(new Error('no teacher')) };
  if (kind !== 'distill-output' && kind !== 'distill-feature') {
    throw new UsageError(`bench train: --strategy must be distill-output, distill-feature or sparsity, got "${kind}"`);
  }
  const spec = kind === 'distill-feature' ? { kind, teacher, converter } : { kind, teacher };
  const isCheckpoint = await readSafetensorsFile(teacher).then(
    (f) => f.metadata.format === CHECKPOINT_FORMAT,
    () => false,
  );
  if (isCheckpoint) return { spec, nc: (await readCheckpoint(teacher)).nc, loadTeacher: () => loadTeacherCheckpoint };
  const { yaml } = await resolveModelYaml(teacher).catch((e: Error) => {
    throw new UsageError(`bench train: --teacher: not a Distillery checkpoint and ${e.message}`);
  });
  return { spec, loadTeacher: (nc) => async () => createTrainingModel({ yaml, nc, seed: 1 }) };
}

/**
 * Median seconds of training steps on random input with `workers` replicas, and the median CPU seconds
 * of the whole process per step (all threads): on a machine shared with other work the wall-clock
 * speed-up is noisy, while CPU time per step shows the parallel overhead (ideal: the same for any N).
 */
async function timeSteps(o: { model: string; img: number; batch: number; workers: number; backend: string; steps: number; strategy?: BenchStrategy }): Promise<{ seconds: number; cpuSeconds: number }> {
  const { yaml } = await resolveModelYaml(o.model);
  const nc = o.strategy?.nc ?? 20;
  const model = createTrainingModel({ yaml, nc, seed: 0 });
  const hyp = effectiveLossHyp(HypSchema.parse({}), nc);
  const lossMeta = lossMetaFromModel(model);
  const config = parseRunConfig({ batch: o.batch, img: o.img, seed: 0, strategies: o.strategy ? [o.strategy.spec] : [] });
  const teachers = new Map<string, Detector>();
  const strategies = await setUpRunStrategies(config, { student: model, hyp, log: () => undefined, loadTeacher: o.strategy?.loadTeacher(nc), onTeacher: (r, t) => teachers.set(r, t) });
  const trainable = trainableVariables(model, strategies);
  const optimizer = createOptimizer(trainable, { kind: 'sgd', lr0: 0.01, momentum: 0.937, weightDecay: 5e-4 * nominalBatchScale(o.batch) });
  const microBatch = defaultMicroBatch(o.backend, o.img);
  const shared = strategies.length ? replicaStrategies(config, teachers) : undefined;
  if (shared && 'why' in shared) throw new Error(`bench train: ${shared.why}`);
  const pool =
    o.workers > 1
      ? await ReplicaPool.start({ replicas: o.workers, backend: o.backend, factory: defaultModelFactory({ yaml, nc, seed: 0 }), trainable, hyp, lossMeta, microBatch, strategies: shared?.spec })
      : undefined;
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const images = Float32Array.from({ length: o.batch * o.img * o.img * 3 }, rand);
  const rows: number[] = [];
  for (let i = 0; i < o.batch; i++) for (let k = 0; k < 4; k++) rows.push(i, k % nc, 0.2 + 0.6 * rand(), 0.2 + 0.6 * rand(), 0.05 + 0.3 * rand(), 0.05 + 0.3 * rand());
  const part = { images, shape: [o.batch, o.img, o.img] as [number, number, number], targets: Float32Array.from(rows), nTargets: rows.length / 6 };
  const times: number[] = [];
  const cpu: number[] = [];
  try {
    for (let s = 0; s <= o.steps; s++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const at = { epoch: 0, iteration: s };
      const local = (p: typeof part) => computeGradientsChunked({ model, trainable, ...p, lossMeta, hyp, strategies, ...at }, microBatch);
      const r = pool ? await pool.gradients({ ...part, images: images.slice() }, at, local) : await local(part);
      optimizer.step(r.grads);
      r.grads.forEach((g) => g.dispose());
      pool?.publish(trainable);
      for (const st of strategies) st.afterStep?.();
      if (s > 0) {
        times.push((performance.now() - t0) / 1000);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1e6);
      }
    }
  } finally {
    await pool?.close();
    strategies.forEach((st) => st.dispose());
    optimizer.dispose();
    model.dispose();
  }
  const median = (x: number[]) => x.sort((a, b) => a - b)[Math.floor(x.length / 2)];
  return { seconds: median(times), cpuSeconds: median(cpu) };
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
        strategy: { type: 'string' },
        teacher: { type: 'string', default: 'yolov5s_voc' },
        converter: { type: 'string', default: 'conv-bn-relu6' },
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

  if (values.converter !== 'conv-bn-relu6' && values.converter !== 'conv') throw new UsageError(`bench train: --converter must be conv-bn-relu6 or conv, got "${values.converter}"`);
  const strategy = await benchStrategy(values.strategy, values.teacher, values.converter);
  const strategyLabel = strategy ? ` + ${values.strategy}${strategy.spec.teacher ? ` (teacher ${values.teacher})` : ''}` : '';

  // One thread per replica: data-parallel workers are how training uses the cores (as in `trainer run`).
  const engine = await initEngine({ backend, threads: 1 });
  out(`engine: ${engine.backend} — ${engine.reason}`);
  const { seconds, cpuSeconds } = await timeSteps({ model: values.model, img, batch, workers, backend: engine.backend, steps, strategy });
  const imagesPerSec = batch / seconds;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ model: values.model, img, batch, backend: engine.backend, workers, imagesPerSec, cpuSecondsPerStep: cpuSeconds, ...(strategy ? { strategy: values.strategy } : {}) })}\n`);
    return;
  }
  const anchor = strategy ? undefined : await upstreamAnchor(values.model, batch, img);
  out(`train step ${values.model}${strategyLabel} ${batch}x${img}² ${workers} worker(s): ${seconds.toFixed(3)} s = ${imagesPerSec.toFixed(2)} images/s (${cpuSeconds.toFixed(2)} CPU s/step)`);
  if (workers > 1) {
    const one = await timeSteps({ model: values.model, img, batch, workers: 1, backend: engine.backend, steps, strategy });
    const single = batch / one.seconds;
    out(`  1 worker: ${single.toFixed(2)} images/s (${one.cpuSeconds.toFixed(2)} CPU s/step) → data-parallel speed-up ×${(imagesPerSec / single).toFixed(2)}, CPU overhead ×${(cpuSeconds / one.cpuSeconds).toFixed(2)}`);
  }
  if (anchor) out(`  upstream PyTorch (${anchor.source}): ${anchor.imagesPerSec.toFixed(2)} images/s → ratio ${(imagesPerSec / anchor.imagesPerSec).toFixed(3)}`);
  else out(strategy ? '  (the upstream anchor is a plain training step: not compared with a strategy)' : '  no upstream anchor for this model/batch/size');

  // Part 2: short real runs.
  const dir = await mkdtemp(path.join(tmpdir(), 'distillery-bench-train-'));
  try {
    const sets: Array<[string, string, number]> = [['demo', 'demo', DEMO_CLASS_NAMES.length]];
    const coco = await coco128Data(dir);
    if (coco) sets.push(['coco128', coco, 80]);
    for (const [name, data, nc] of sets) {
      out(`\n${name}: ${values.epochs} epoch(s) of ${values.batches} batch(es), ${values.model}${strategyLabel} at ${img}`);
      if (strategy?.nc !== undefined && strategy.nc !== nc) {
        out(`  skipped: the teacher checkpoint has ${strategy.nc} classes, ${name} has ${nc}`);
        continue;
      }
      const config = parseRunConfig({ model: values.model, data, img, batch, epochs: int(values.epochs, 'epochs'), backend: engine.backend, workers, seed: 0, strategies: strategy ? [strategy.spec] : [] });
      const result = await train(config, {
        runDir: path.join(dir, name),
        maxBatchesPerEpoch: int(values.batches, 'batches'),
        maxEvalImages: 4 * batch,
        loadTeacher: strategy?.loadTeacher(nc),
        onLog: (l) => out(`  ${l}`),
      });
      out(`  ${name}: ${result.epochs.map((m) => `epoch ${m.epoch + 1}: ${m.imagesPerSec.toFixed(2)} img/s, mAP@.5 ${m.map50.toFixed(4)}`).join('; ')}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    tf.disposeVariables();
  }
}
