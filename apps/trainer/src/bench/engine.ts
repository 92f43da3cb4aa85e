/**
 * `pnpm bench engine [--json] [--backend NAME,...] [--seconds S]`: forward and forward+backward
 * GFLOP/s of the convolutions that dominate YOLOv5s and MobileNetV2-YOLOv5s at 320x320, on every
 * backend that loads here. Forward+backward counts 3x the forward FLOPs (forward, input gradient,
 * filter gradient). The pure-JS cpu backend is ~100x slower, so it runs each layer at batch 1 and
 * half the spatial size, once: GFLOP/s barely depend on size, and the suite stays short.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import Table from 'cli-table3';
import { ENGINE_BACKENDS, isEngineBackend, type EngineBackend } from '@distillery/models';
import { initEngine, probeBackends } from '@distillery/models/node';
import { UsageError } from '../errors.ts';

export interface ConvLayer {
  name: string;
  batch: number;
  size: number;
  kernel: number;
  stride: number;
  inChannels: number;
  outChannels: number;
  depthwise: boolean;
}

/** The layers; the first is the yardstick. */
export const LAYERS: ConvLayer[] = [
  // YOLOv5s at 320: a C3 3x3 conv at stride 4 (the yardstick of the issue).
  { name: 'conv3x3_s1_b4_80x80_32to64', batch: 4, size: 80, kernel: 3, stride: 1, inChannels: 32, outChannels: 64, depthwise: false },
  // YOLOv5s at 320: the downsampling conv from P3 to P4.
  { name: 'conv3x3_s2_b4_80x80_64to128', batch: 4, size: 80, kernel: 3, stride: 2, inChannels: 64, outChannels: 128, depthwise: false },
  // YOLOv5s C3 / MobileNetV2 expand-project 1x1 at stride 8.
  { name: 'conv1x1_s1_b4_40x40_128to128', batch: 4, size: 40, kernel: 1, stride: 1, inChannels: 128, outChannels: 128, depthwise: false },
  // MobileNetV2 inverted residual at stride 8 (32 channels x expansion 6).
  { name: 'dwconv3x3_s1_b4_40x40_192', batch: 4, size: 40, kernel: 3, stride: 1, inChannels: 192, outChannels: 192, depthwise: true },
  // MobileNetV2 stride-2 depthwise from stride 4 to 8 (24 channels x expansion 6).
  { name: 'dwconv3x3_s2_b4_80x80_144', batch: 4, size: 80, kernel: 3, stride: 2, inChannels: 144, outChannels: 144, depthwise: true },
];

export interface EngineBenchRow {
  backend: EngineBackend;
  layer: string;
  fwdGflops: number;
  fwdBwdGflops: number;
}

/** Forward FLOPs (2 per multiply-add) of a `same`-padded layer. */
export function forwardFlops(l: ConvLayer): number {
  const out = Math.ceil(l.size / l.stride);
  const macsPerOutput = l.kernel * l.kernel * (l.depthwise ? 1 : l.inChannels);
  return 2 * l.batch * out * out * l.outChannels * macsPerOutput;
}

/**
 * Median seconds of `forward` and of `forwardBackward`, timed ALTERNATELY so that load from other
 * processes (this machine is shared) hits both alike; repeats for about `seconds` (>= `minReps`).
 */
function timePair(forward: () => void, forwardBackward: () => void, seconds: number, minReps: number, warmup: boolean): [number, number] {
  if (warmup) {
    forward();
    forwardBackward();
  }
  const times: [number[], number[]] = [[], []];
  const start = performance.now();
  while (times[0].length < minReps || (performance.now() - start) / 1000 < seconds) {
    [forward, forwardBackward].forEach((fn, k) => {
      const t0 = performance.now();
      fn();
      times[k].push((performance.now() - t0) / 1000);
    });
    if (times[0].length >= 50) break;
  }
  const median = (t: number[]) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)];
  return [median(times[0]), median(times[1])];
}

function measureLayer(l: ConvLayer, seconds: number, minReps: number, warmup: boolean): { fwd: number; fwdBwd: number } {
  const x = tf.randomNormal([l.batch, l.size, l.size, l.inChannels]) as tf.Tensor4D;
  const w = tf.mul(tf.randomNormal([l.kernel, l.kernel, l.inChannels, l.depthwise ? 1 : l.outChannels]), 0.1) as tf.Tensor4D;
  const conv = (xi: tf.Tensor4D, wi: tf.Tensor4D): tf.Tensor4D =>
    l.depthwise ? tf.depthwiseConv2d(xi, wi, l.stride, 'same') : tf.conv2d(xi, wi, l.stride, 'same');
  const dy = tf.tidy(() => tf.randomNormal(conv(x, w).shape));
  const gradients = tf.grads((xi: tf.Tensor, wi: tf.Tensor) => conv(xi as tf.Tensor4D, wi as tf.Tensor4D));
  const flops = forwardFlops(l);
  const [fwdSeconds, fwdBwdSeconds] = timePair(
    () => tf.tidy(() => void conv(x, w).dataSync()),
    () =>
      tf.tidy(() => {
        const [dx, dw] = gradients([x, w], dy);
        dx.dataSync();
        dw.dataSync();
      }),
    seconds,
    minReps,
    warmup,
  );
  tf.dispose([x, w, dy]);
  return { fwd: flops / fwdSeconds / 1e9, fwdBwd: (3 * flops) / fwdBwdSeconds / 1e9 };
}

/** The cpu backend's scaled-down version of a layer (see the file comment). */
function scaledForCpu(l: ConvLayer): ConvLayer {
  return { ...l, batch: 1, size: l.size / 2 };
}

export async function run(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { json: { type: 'boolean', default: false }, backend: { type: 'string' }, seconds: { type: 'string', default: '1' } },
      strict: true,
    });
  } catch (e) {
    throw new UsageError(`bench engine: ${(e as Error).message}; usage: pnpm bench engine [--json] [--backend ${ENGINE_BACKENDS.join(',')}] [--seconds S]`);
  }
  const { json, backend, seconds } = parsed.values;
  const secondsPerMeasure = Number(seconds);
  if (!(secondsPerMeasure > 0)) throw new UsageError(`bench engine: --seconds must be a positive number, got "${seconds}"`);
  // One thread, as a training replica runs: the bar compares a training step's kernels with the forward's.
  const { available, unavailable } = await probeBackends({ threads: 1 });
  let backends = available;
  if (backend !== undefined) {
    const requested = backend.split(',').map((b) => b.trim());
    for (const name of requested) {
      if (!isEngineBackend(name)) throw new UsageError(`bench engine: unknown backend "${name}"; available: ${available.join(', ')}`);
      if (!available.includes(name)) throw new UsageError(`bench engine: backend "${name}" is not available here; available: ${available.join(', ')}`);
    }
    backends = requested as EngineBackend[];
  }
  const log = (line: string) => {
    if (!json) process.stdout.write(`${line}\n`);
  };
  for (const u of unavailable) log(`skipping ${u.name}: ${u.why}`);

  const rows: EngineBenchRow[] = [];
  const notes = new Map<string, string>();
  for (const name of backends) {
    await initEngine({ backend: name, threads: 1 });
    const slow = name === 'cpu';
    for (const layer of LAYERS) {
      const measured = slow ? scaledForCpu(layer) : layer;
      if (slow) notes.set(`${name}/${layer.name}`, `measured at batch ${measured.batch}, ${measured.size}x${measured.size}`);
      const { fwd, fwdBwd } = measureLayer(measured, slow ? 0 : secondsPerMeasure, slow ? 1 : 3, !slow);
      rows.push({ backend: name, layer: layer.name, fwdGflops: round(fwd), fwdBwdGflops: round(fwdBwd) });
      log(`${name} ${layer.name}: forward ${fwd.toFixed(2)} GFLOP/s, forward+backward ${fwdBwd.toFixed(2)} GFLOP/s`);
    }
  }

  if (json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  const table = new Table({ head: ['backend', 'layer', 'fwd GFLOP/s', 'fwd+bwd GFLOP/s', 'fwd+bwd / fwd', 'note'] });
  for (const r of rows) {
    table.push([r.backend, r.layer, r.fwdGflops.toFixed(2), r.fwdBwdGflops.toFixed(2), (r.fwdBwdGflops / r.fwdGflops).toFixed(2), notes.get(`${r.backend}/${r.layer}`) ?? '']);
  }
  process.stdout.write(`${table.toString()}\n`);
  const yardstick = rows.find((r) => r.backend === 'wasm' && r.layer === LAYERS[0].name);
  if (yardstick !== undefined) {
    const ratio = yardstick.fwdBwdGflops / yardstick.fwdGflops;
    process.stdout.write(`wasm ${LAYERS[0].name}: forward+backward runs at ${ratio.toFixed(2)}x forward speed (bar: >= 0.67) ${ratio >= 2 / 3 ? 'PASS' : 'FAIL'}\n`);
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
