/**
 * `pnpm bench step [--model NAME] [--size S] [--batch B] [--steps N] [--backend B] [--top K] [--json] [--no-profile]`:
 * one training step (train-mode forward + compute_loss + tf.variableGrads, no optimiser) of a zoo
 * network on random images with 4 targets per image, in images/s, against the upstream PyTorch
 * training step on this kind of machine (`timing_anchor.json`: mobile-yolo5s_voc, batch 8, 320x320,
 * 1.19 s with 2 threads, 2.88 s with 1). Times are the process's CPU time (see cpuMs), wall time is
 * printed beside. Then, unless --no-profile, one more step with every kernel of the backend wrapped
 * in a timer, printed as a top list by kernel (forward/backward split) and by kernel + shapes: the
 * kernels that own the step. Only OUTERMOST kernel calls are counted (the engine's training kernels
 * call other kernels inside), so the column adds up to kernel time; the rest of the step is JS
 * overhead (tape, tidy, the loss's target building). `--fused-bn`: see useFusedBatchNorm.
 * `--simd-ab`: every measured step is paired with one with the engine's WebAssembly SIMD kernels
 * turned off (their JS fallbacks), in the same run, and both medians are printed.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import Table from 'cli-table3';
import { BatchNorm2d, batchNormActTrain, buildModel, setSimdKernelsEnabled, Conv, ConvBNReLU, getZooConfig, isEngineBackend, type EngineBackend, type ForwardContext } from '@distillery/models';
import { initEngine } from '@distillery/models/node';
import { computeLoss, effectiveLossHyp, HypSchema, lossMetaFromModel } from '@distillery/core';
import { UsageError } from '../errors.ts';

/** Upstream PyTorch training step images/s, batch 8, 320x320 (golden timing_anchor.json). */
export const UPSTREAM_TRAIN_IMG_S: Record<string, { threads2: number; threads1: number }> = {
  'mobile-yolo5s_voc': { threads2: 6.72, threads1: 2.78 },
  yolov5s_voc: { threads2: 9.96, threads1: 4.36 },
};

/**
 * This process's CPU time in ms. The machine is shared and often oversubscribed, so wall time
 * swings by 2-5x between runs; the (single-threaded) wasm backend's CPU time is what an idle
 * machine would show as wall time, and it is what the step and the profile report.
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface KernelStat {
  ms: number;
  calls: number;
}

/** Wraps every kernel of `backend` with a timer; returns the stats and an `unwrap`. */
function instrumentKernels(backend: string, phase: () => string): { stats: Map<string, KernelStat>; unwrap: () => void } {
  const stats = new Map<string, KernelStat>();
  const originals = tf.getKernelsForBackend(backend);
  let depth = 0;
  for (const config of originals) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        if (depth > 0) return inner(args);
        depth++;
        const t0 = cpuMs();
        try {
          return inner(args);
        } finally {
          const ms = cpuMs() - t0;
          depth--;
          const inputs = Object.values(args.inputs).map((t) => (t ? `[${t.shape.join(',')}]` : '-'));
          for (const key of [`${phase()} ${config.kernelName}`, `${phase()} ${config.kernelName} ${inputs.join(' ')}`]) {
            const s = stats.get(key) ?? { ms: 0, calls: 0 };
            s.ms += ms;
            s.calls++;
            stats.set(key, s);
          }
        }
      },
    });
  }
  const unwrap = () => {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel(config);
    }
  };
  return { stats, unwrap };
}

/**
 * `--fused-bn`: a what-if for the models engineer. Swaps the training-mode forward of the layers'
 * batch norms (and their activation, for Conv / ConvBNReLU) for the engine's fused
 * `batchNormActTrain`, to measure what adopting it in packages/models/src/layers would give.
 * Only the bench process is patched.
 */
function useFusedBatchNorm(): void {
  type Stats = { updateRunningStats(mean: tf.Tensor1D, variance: tf.Tensor1D, n: number): void };
  const normAct = (bn: BatchNorm2d, z: tf.Tensor4D, ctx: ForwardContext, activation: 'linear' | 'relu6' | 'leakyrelu'): tf.Tensor4D => {
    const { y, mean, variance } = batchNormActTrain(z, bn.weight, bn.bias, { eps: bn.eps, activation, leakyAlpha: 0.1 });
    if (ctx.updateStats) (bn as unknown as Stats).updateRunningStats(mean, variance, z.size / bn.channels);
    tf.dispose([mean, variance]);
    return y;
  };
  const bnForward = BatchNorm2d.prototype.forward;
  BatchNorm2d.prototype.forward = function (this: BatchNorm2d, x: tf.Tensor4D, ctx: ForwardContext) {
    return ctx.training ? normAct(this, x, ctx, 'linear') : bnForward.call(this, x, ctx);
  };
  const convForward = Conv.prototype.forward;
  Conv.prototype.forward = function (this: Conv, x: tf.Tensor4D, ctx: ForwardContext) {
    return ctx.training ? normAct(this.bn, this.conv.forward(x), ctx, this.act ? 'leakyrelu' : 'linear') : convForward.call(this, x, ctx);
  };
  const cbrForward = ConvBNReLU.prototype.forward;
  ConvBNReLU.prototype.forward = function (this: ConvBNReLU, x: tf.Tensor4D, ctx: ForwardContext) {
    return ctx.training ? normAct(this.bn, this.conv.forward(x), ctx, 'relu6') : cbrForward.call(this, x, ctx);
  };
}

/** Random targets, 4 per image: rows (image, cls, cx, cy, w, h) normalised. */
function randomTargets(batch: number, nc: number, perImage: number): Float32Array {
  const rows: number[] = [];
  let s = 12345;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < batch; i++) {
    for (let t = 0; t < perImage; t++) {
      rows.push(i, Math.floor(rnd() * nc), 0.2 + 0.6 * rnd(), 0.2 + 0.6 * rnd(), 0.05 + 0.3 * rnd(), 0.05 + 0.3 * rnd());
    }
  }
  return Float32Array.from(rows);
}

export async function run(args: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        model: { type: 'string', default: 'mobile-yolo5s_voc' },
        size: { type: 'string', default: '320' },
        batch: { type: 'string', default: '8' },
        steps: { type: 'string', default: '3' },
        backend: { type: 'string', default: 'wasm' },
        top: { type: 'string', default: '25' },
        json: { type: 'boolean', default: false },
        'no-profile': { type: 'boolean', default: false },
        'fused-bn': { type: 'boolean', default: false },
        'simd-ab': { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError(`bench step: ${(e as Error).message}`);
  }
  const name = values.model;
  if (!getZooConfig(name)) throw new UsageError(`bench step: unknown model '${name}'`);
  const [size, batch, steps, top] = [values.size, values.batch, values.steps, values.top].map(Number);
  if (!(size > 0 && size % 32 === 0)) throw new UsageError(`bench step: --size must be a positive multiple of 32, got '${values.size}'`);
  for (const [flag, v] of [['--batch', batch], ['--steps', steps], ['--top', top]] as const) {
    if (!(Number.isInteger(v) && v > 0)) throw new UsageError(`bench step: ${flag} must be a positive integer`);
  }
  if (!isEngineBackend(values.backend)) throw new UsageError(`bench step: unknown backend '${values.backend}'`);
  // One thread, as a training replica runs (the profile is per kernel).
  const engine = await initEngine({ backend: values.backend as EngineBackend, threads: 1 });

  if (values['fused-bn']) useFusedBatchNorm();
  const model = buildModel(name, { seed: 0 });
  const hyp = effectiveLossHyp(HypSchema.parse({}), model.nc);
  const meta = lossMetaFromModel(model);
  const targets = randomTargets(batch, model.nc, 4);
  const images = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const variables = [...model.namedParameters().values()];
  let phase = 'fwd';

  let lastWallMs = 0;
  const step = (): number => {
    const wall0 = performance.now();
    const t0 = cpuMs();
    phase = 'fwd';
    const { value, grads } = tf.variableGrads(() => {
      const out = model.forward(images, { training: true, updateStats: false });
      const loss = computeLoss(out.raw, targets, meta, hyp);
      phase = 'bwd';
      return loss.total;
    }, variables);
    value.dataSync();
    const ms = cpuMs() - t0;
    lastWallMs = performance.now() - wall0;
    tf.dispose([value, ...Object.values(grads)]);
    return ms;
  };

  step(); // warm-up: XNNPACK operator caches, tfjs kernel lookups
  const times: number[] = [];
  const wallTimes: number[] = [];
  const timesNoSimd: number[] = [];
  for (let i = 0; i < steps; i++) {
    if (values['simd-ab']) {
      setSimdKernelsEnabled(false);
      try {
        timesNoSimd.push(step());
      } finally {
        setSimdKernelsEnabled(true);
      }
    }
    times.push(step());
    wallTimes.push(lastWallMs);
  }
  const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const median = medianOf(times);
  const medianNoSimd = timesNoSimd.length > 0 ? medianOf(timesNoSimd) : undefined;
  const imagesPerSec = (batch * 1000) / median;
  const ref = size === 320 && batch === 8 ? UPSTREAM_TRAIN_IMG_S[name] : undefined;
  const tensorsAfter = tf.memory().numTensors;

  let profile: { key: string; ms: number; calls: number }[] = [];
  let profiledMs = 0;
  if (!values['no-profile']) {
    const { stats, unwrap } = instrumentKernels(engine.backend, () => phase);
    try {
      profiledMs = step();
    } finally {
      unwrap();
    }
    profile = [...stats].map(([key, s]) => ({ key, ...s })).sort((a, b) => b.ms - a.ms);
  }
  images.dispose();
  model.dispose();

  const result = {
    backend: engine.backend,
    model: name,
    fusedBatchNorm: values['fused-bn'],
    size,
    batch,
    medianStepSeconds: median / 1000,
    imagesPerSec,
    ...(ref ? { vsUpstream2Threads: imagesPerSec / ref.threads2, vsUpstream1Thread: imagesPerSec / ref.threads1 } : {}),
    stepsCpuMs: times,
    stepsWallMs: wallTimes,
    ...(medianNoSimd !== undefined ? { noSimdMedianStepSeconds: medianNoSimd / 1000, noSimdImagesPerSec: (batch * 1000) / medianNoSimd, noSimdStepsCpuMs: timesNoSimd } : {}),
    tensorsAfter,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...result, profile: profile.filter((p) => p.key.split(' ').length === 2) })}\n`);
    return;
  }
  process.stdout.write(
    `${engine.backend} ${name} ${size}x${size} batch ${batch}${values['fused-bn'] ? ' (--fused-bn)' : ''}: train step ${(median / 1000).toFixed(3)} s CPU time (${times.map((t) => t.toFixed(0)).join(', ')} ms; wall ${wallTimes.map((t) => t.toFixed(0)).join(', ')} ms), ${imagesPerSec.toFixed(2)} images/s` +
      (ref ? `; upstream PyTorch 2 threads ${ref.threads2} (x${(imagesPerSec / ref.threads2).toFixed(2)}), 1 thread ${ref.threads1} (x${(imagesPerSec / ref.threads1).toFixed(2)})` : '') +
      '\n',
  );
  if (medianNoSimd !== undefined) {
    process.stdout.write(
      `  same run, SIMD kernels off (JS fallbacks): ${(medianNoSimd / 1000).toFixed(3)} s CPU time (${timesNoSimd.map((t) => t.toFixed(0)).join(', ')} ms), ` +
        `${((batch * 1000) / medianNoSimd).toFixed(2)} images/s; SIMD speed-up x${(medianNoSimd / median).toFixed(2)}\n`,
    );
  }
  if (profile.length === 0) return;
  const byKernel = profile.filter((p) => p.key.split(' ').length === 2);
  const kernelMs = byKernel.reduce((a, p) => a + p.ms, 0);
  process.stdout.write(`profiled step ${profiledMs.toFixed(0)} ms CPU, of which kernels ${kernelMs.toFixed(0)} ms, other (JS, tape, loss targets) ${(profiledMs - kernelMs).toFixed(0)} ms\n`);
  for (const [title, rows] of [['by kernel', byKernel], ['by kernel and input shapes', profile.filter((p) => p.key.split(' ').length > 2)]] as const) {
    const table = new Table({ head: [title, 'ms', '% step', 'calls'], style: { head: [], border: [] } });
    for (const p of rows.slice(0, top)) table.push([p.key, p.ms.toFixed(1), ((100 * p.ms) / profiledMs).toFixed(1), p.calls]);
    process.stdout.write(`${table.toString()}\n`);
  }
}
