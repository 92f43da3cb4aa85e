// Data-parallel training with strategies: every replica rebuilds the run's strategies (teacher copy,
// converters synchronised like the student), and one step's summed gradient equals single-thread
// accumulation of the same shares.
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel } from '@distillery/models';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../src/checkpoint/file.ts';
import { HypSchema, parseRunConfig, type RunConfig } from '../src/config/run-config.ts';
import { DEMO_CLASS_NAMES } from '../src/data/demo/classes.ts';
import { ensureDemoDataset } from '../src/data/demo/generate.ts';
import { effectiveLossHyp, lossMetaFromModel } from '../src/loss/hyp.ts';
import { GradientAccumulator } from '../src/optim/accumulate.ts';
import { registerStrategy } from '../src/strategies/registry.ts';
import { SparsityStrategy } from '../src/strategies/sparsity/sparsity-strategy.ts';
import type { Detector, TrainingStrategy } from '../src/strategies/strategy.ts';
import { computeGradients } from '../src/train/gradient-step.ts';
import { createTrainingModel, defaultModelFactory, type TrainingModelArgs } from '../src/train/model-factory.ts';
import { ReplicaPool } from '../src/train/parallel/replica-pool.ts';
import { replicaStrategies } from '../src/train/parallel/replica-strategies.ts';
import { splitBatch, type BatchPart } from '../src/train/parallel/shards.ts';
import { createStrategies } from '../src/train/strategies.ts';
import { train } from '../src/train/train.ts';
import { trainableVariables } from '../src/train/trainable-variables.ts';

const NC = 3;
const STUDENT_YAML = readFileSync(new URL('./fixtures/tiny-yolo.yaml', import.meta.url), 'utf8');
// A wider teacher with the same output layout (the student's layer indices, twice the channels).
const TEACHER_YAML = STUDENT_YAML.replace('width_multiple: 0.125', 'width_multiple: 0.25');
const studentArgs: TrainingModelArgs = { yaml: STUDENT_YAML, nc: NC, seed: 3 };
const hyp = effectiveLossHyp(HypSchema.parse({}), NC);

function makeBatch(seed: number, b = 5, size = 32): BatchPart {
  let s = seed;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const images = Float32Array.from({ length: b * size * size * 3 }, r);
  const rows: number[] = [];
  for (let i = 0; i < b; i++)
    for (let k = 0; k < 2 + (i % 2); k++) rows.push(i, k % NC, 0.2 + 0.6 * r(), 0.2 + 0.6 * r(), 0.1 + 0.3 * r(), 0.1 + 0.3 * r());
  return { images, shape: [b, size, size], targets: Float32Array.from(rows), nTargets: rows.length / 6 };
}

const loadTeacher = async (ref: string): Promise<Detector> => {
  expect(ref).toBe('teacher.safetensors');
  return buildModel(TEACHER_YAML, { nc: NC, seed: 11 });
};

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

interface Side {
  model: ReturnType<typeof createTrainingModel>;
  strategies: TrainingStrategy[];
  trainable: Map<string, tf.Variable>;
  teachers: Map<string, Detector>;
}

async function side(config: RunConfig): Promise<Side> {
  const model = createTrainingModel(studentArgs);
  const teachers = new Map<string, Detector>();
  const strategies = await createStrategies(config, { student: model, hyp, log: () => undefined, loadTeacher, onTeacher: (r, t) => teachers.set(r, t) });
  return { model, strategies, teachers, trainable: trainableVariables(model, strategies) };
}

const open: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/**
 * One step with 2 replicas vs the single-thread accumulation of the same two shares: every gradient
 * (student and strategy modules) within 1e-5 of the tensor's largest magnitude, and the loss items
 * summed over shares alike. Returns both results' loss items for strategy-specific checks.
 */
async function compareOneStep(strategy: Record<string, unknown>, expectExtra: string[]) {
  const config = parseRunConfig({ batch: 5, img: 32, seed: 5, strategies: [strategy] });
  const parallel = await side(config);
  const serial = await side(config);
  open.push(() => [parallel, serial].forEach((s) => (s.strategies.forEach((x) => x.dispose()), s.model.dispose())));
  const shared = replicaStrategies(config, parallel.teachers);
  if ('why' in shared) throw new Error(shared.why);
  const lossMeta = lossMetaFromModel(parallel.model);
  const pool = await ReplicaPool.start({
    replicas: 2,
    backend: 'cpu',
    factory: defaultModelFactory({ ...studentArgs, seed: 99 }), // the replica's own init is overwritten by the published weights
    trainable: parallel.trainable,
    hyp,
    lossMeta,
    strategies: shared.spec,
  });
  open.push(() => pool.close());
  expect(pool.size).toBe(2);

  const batch = makeBatch(17);
  const at = { epoch: 0, iteration: 0 };
  const got = await pool.gradients({ ...batch, images: batch.images.slice() }, at, (part) =>
    computeGradients({ model: parallel.model, trainable: parallel.trainable, ...part, lossMeta, hyp, strategies: parallel.strategies, ...at }),
  );
  const acc = new GradientAccumulator();
  const serialExtra: Record<string, number> = {};
  let serialLoss = 0;
  for (const part of splitBatch(batch, 2)) {
    const r = await computeGradients({ model: serial.model, trainable: serial.trainable, ...part, lossMeta, hyp, strategies: serial.strategies, ...at });
    acc.add(r.grads);
    serialLoss += r.losses.loss;
    for (const [k, v] of Object.entries(r.losses.extra)) serialExtra[k] = (serialExtra[k] ?? 0) + v;
  }
  open.push(() => (got.grads.forEach((g) => g.dispose()), acc.reset()));

  expect([...got.grads.keys()].sort()).toEqual([...acc.grads.keys()].sort());
  expect(got.grads.size).toBe(parallel.trainable.size);
  for (const [name, g] of acc.grads) {
    const a = got.grads.get(name)!.dataSync();
    const b = g.dataSync();
    const scale = maxAbs(b);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst, name).toBeLessThanOrEqual(1e-5 * Math.max(scale, 1e-12));
  }
  expect(got.losses.loss).toBeCloseTo(serialLoss, 4);
  for (const k of expectExtra) {
    expect(got.losses.extra[k], k).toBeGreaterThan(0);
    expect(Math.abs(got.losses.extra[k] - serialExtra[k]), k).toBeLessThanOrEqual(1e-5 * serialExtra[k]);
  }
  return { got, parallel };
}

describe('data-parallel replicas with strategies (2 threads, one step = single-thread accumulation of the shares)', () => {
  it('distill-output: each replica runs its own copy of the teacher on its share', async () => {
    await compareOneStep({ kind: 'distill-output', teacher: 'teacher.safetensors' }, ['ldistill', 'ldistill_output']);
  }, 60_000);

  it('distill-feature with conv-bn-relu6 converters: the converters are trained and synchronised like the student', async () => {
    const { got } = await compareOneStep(
      { kind: 'distill-feature', teacher: 'teacher.safetensors', converter: 'conv-bn-relu6', studentLayers: [4, 6, 9], teacherLayers: [4, 6, 9] },
      ['ldistill', 'ldistill_output', 'ldistill_feature'],
    );
    const converterGrads = [...got.grads.keys()].filter((k) => k.startsWith('extra.0.'));
    expect(converterGrads).toContain('extra.0.0.S_Converter_1.conv.weight');
    expect(converterGrads).toContain('extra.0.2.S_Converter_3.bn.weight');
    expect(maxAbs(got.grads.get('extra.0.1.S_Converter_2.conv.weight')!.dataSync())).toBeGreaterThan(0);
  }, 60_000);

  it('distill-feature with plain conv converters', async () => {
    const { got } = await compareOneStep(
      { kind: 'distill-feature', teacher: 'teacher.safetensors', converter: 'conv', outputWeight: 0, studentLayers: [4, 6], teacherLayers: [4, 6] },
      ['ldistill', 'ldistill_feature'],
    );
    expect([...got.grads.keys()].filter((k) => k.startsWith('extra.')).sort()).toEqual(['extra.0.0.S_Converter_1.conv.weight', 'extra.0.1.S_Converter_2.conv.weight']);
  }, 60_000);

  it('sparsity: the L1 term scales with each share, so it counts once for the whole batch', async () => {
    const { got, parallel } = await compareOneStep({ kind: 'sparsity', sl: 0.01 }, ['lsparsity']);
    // The shares' terms add up to the full batch's term bs·sl·Σ‖γ‖₁/n (not N times it).
    const s = parallel.strategies[0] as SparsityStrategy;
    const whole = new SparsityStrategy(0.01);
    whole.setup({ config: parseRunConfig({ batch: 5, seed: 5 }), student: parallel.model, hyp });
    const full = tf.tidy(() => whole.extraLoss({ batchSize: 5 } as Parameters<SparsityStrategy['extraLoss']>[0]).total.dataSync()[0]);
    expect(s.strength).toBeCloseTo(whole.strength, 12);
    expect(got.losses.extra.lsparsity).toBeCloseTo(full, 5);
  }, 60_000);
});

describe('strategies that cannot be replicated', () => {
  it('a teacher that is not a rebuildable model, or a kind registered at run time, keeps training on one thread (with the reason)', async () => {
    const config = parseRunConfig({ strategies: [{ kind: 'distill-output', teacher: 't' }] });
    const opaque = { nc: NC } as unknown as Detector;
    const r = replicaStrategies(config, new Map([['t', opaque]]));
    expect('why' in r && r.why).toMatch(/teacher 't'/);
    registerStrategy('sparsity', (spec) => new SparsityStrategy(spec.sl));
    const r2 = replicaStrategies(parseRunConfig({ strategies: [{ kind: 'sparsity' }] }), new Map());
    expect('why' in r2 && r2.why).toMatch(/'sparsity' is registered in the training thread only/);
  });
});

describe('train() with strategies and 2 workers', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'distillery-parallel-strategies-'));
    await ensureDemoDataset(path.join(dir, 'demo'), { train: 8, val: 2, test: 0, imageSize: 64, maxObjects: 3, seed: 4 });
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('trains data-parallel (no fallback to one thread) and its steps equal one thread with the same shares as micro-batches', async () => {
    const nc = DEMO_CLASS_NAMES.length;
    const config = parseRunConfig({
      model: fileURLToPath(new URL('./fixtures/tiny-yolo.yaml', import.meta.url)),
      data: path.join(dir, 'demo', 'dataset.yaml'),
      img: 64,
      batch: 4,
      epochs: 1,
      backend: 'cpu',
      augment: false,
      seed: 2,
      // No burn-in and no accumulation: the second step moves the weights at the full learning rate (the
      // first one's is 0), after the replicas received the first step's parameters.
      warmupEpochs: 0,
      warmupIterations: 0,
      nominalBatch: 4,
      strategies: [{ kind: 'distill-feature', teacher: 'wide', studentLayers: [4, 6, 9], teacherLayers: [4, 6, 9] }],
    });
    const run = async (workers: number, name: string, o: { signal?: AbortSignal; resumeFrom?: string; onStep?: () => void } = {}) => {
      const logs: string[] = [];
      const r = await train(config, {
        ...o,
        runDir: path.join(dir, name),
        workers,
        // One thread: the batch in chunks of 2 = the two replicas' shares.
        microBatch: 2,
        maxBatchesPerEpoch: 2,
        maxEvalImages: 2,
        loadTeacher: async () => buildModel(TEACHER_YAML, { nc, seed: 11 }),
        onLog: (l) => logs.push(l),
      });
      expect(r.status).toBe(o.signal ? 'interrupted' : 'done');
      return { ckpt: await readCheckpoint(r.last!), logs, epoch: r.epochs[0], last: r.last! };
    };
    const one = await run(1, 'one');
    const two = await run(2, 'two');
    expect(two.logs.join('\n')).toContain('data-parallel: 2 replicas');
    expect(two.epoch.ldistill).toBeGreaterThan(0);
    expect(two.epoch.ldistill).toBeCloseTo(one.epoch.ldistill!, 4);
    // Trained parameters (BN running statistics differ by design: only replica 0's share updates them).
    const fresh = createTrainingModel({ yaml: STUDENT_YAML, nc, seed: config.seed });
    const params = new Map([...fresh.namedParameters()].map(([k, v]) => [k, v.dataSync()]));
    fresh.dispose();
    // The step moved the weights (the comparison is not between two untouched models).
    expect(maxAbs(Array.from(params.get('model.0.conv.conv.weight')!, (v, i) => v - one.ckpt.model.get('model.0.conv.conv.weight')!.data[i]))).toBeGreaterThan(1e-6);
    let compared = 0;
    for (const [part, keys] of [['model', [...params.keys()]], ['extra', [...one.ckpt.extra.keys()]]] as const) {
      for (const k of keys) {
        const a = one.ckpt[part].get(k)!.data;
        const b = two.ckpt[part].get(k)!.data;
        const scale = maxAbs(a);
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        expect(worst, `${part} ${k}`).toBeLessThanOrEqual(1e-5 * Math.max(scale, 1e-12));
        compared++;
      }
    }
    expect(one.ckpt.extra.size).toBeGreaterThan(0);
    expect(compared).toBe(params.size + one.ckpt.extra.size);

    // Interrupted after the first batch and resumed (converters restored from the checkpoint): exactly
    // the uninterrupted run.
    const ac = new AbortController();
    const first = await run(2, 'split', { signal: ac.signal, onStep: () => ac.abort() });
    const resumed = await run(2, 'split', { resumeFrom: first.last });
    for (const part of ['model', 'ema', 'extra'] as const) {
      expect([...resumed.ckpt[part].keys()]).toEqual([...two.ckpt[part].keys()]);
      for (const [k, t] of two.ckpt[part]) expect(Array.from(resumed.ckpt[part].get(k)!.data), `${part} ${k}`).toEqual(Array.from(t.data));
    }
  }, 120_000);
});
