/**
 * `pnpm bench models [--json] [--backend wasm,cpu] [--models a,b] [--sizes 320,640] [--batches 1,8] [--seconds S] [--threads N]`:
 * inference speed (`predict` of the conv+BN-folded model: its fast-inference forward to the decoded output, no NMS) in
 * images/s per network, input size and batch, on every backend that loads here, with params/GMACs
 * beside. Upstream PyTorch on this kind of machine (2 threads, batch 1, 640x640, `timing_anchor.json`):
 * 7.8 images/s mobile-yolo5s_voc, 7.0 yolov5s_voc; rows at batch 1 / 640 show the ratio to it.
 * The pure-JS cpu backend is ~50x slower than wasm: it runs batch 1 only unless asked explicitly.
 * wasm runs one forward on every core by default (`--threads` / `DISTILLERY_THREADS` to change), as
 * PyTorch does; the `threads` column says how many it used.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import Table from 'cli-table3';
import { buildModel, getZooConfig, isEngineBackend, type EngineBackend } from '@distillery/models';
import { initEngine, probeBackends } from '@distillery/models/node';
import { UsageError } from '../errors.ts';

/** Upstream inference images/s, batch 1, 640x640, 2 threads (golden timing_anchor.json). */
export const UPSTREAM_INFERENCE_IMG_S: Record<string, number> = { 'mobile-yolo5s_voc': 7.77, yolov5s_voc: 7.0 };

export interface ModelBenchRow {
  backend: EngineBackend;
  model: string;
  size: number;
  batch: number;
  /** Threads one forward ran on (undefined: the backend decides, as tfjs-node does). */
  threads?: number;
  imagesPerSec: number;
  paramsFused: number;
  gmacsFused: number;
  /** imagesPerSec / upstream, where upstream measured this setting. */
  vsUpstream?: number;
}

function list(v: string | undefined, dflt: string[]): string[] {
  return v === undefined ? dflt : v.split(',').map((s) => s.trim()).filter(Boolean);
}

function ints(flag: string, v: string[]): number[] {
  return v.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: '${s}' is not a positive integer`);
    return n;
  });
}

/** Median seconds of `fn` over at least `minReps` runs and about `seconds`, after one warm-up. */
function medianSeconds(fn: () => void, seconds: number, minReps: number): number {
  fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (performance.now() - start) / 1000 < seconds) {
    const t0 = performance.now();
    fn();
    times.push((performance.now() - t0) / 1000);
    if (times.length >= 30) break;
  }
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean' },
      backend: { type: 'string' },
      models: { type: 'string' },
      sizes: { type: 'string' },
      batches: { type: 'string' },
      seconds: { type: 'string' },
      threads: { type: 'string' },
    },
    strict: true,
  });
  const models = list(values.models, ['mobile-yolo5s_voc', 'yolov5s_voc']);
  for (const m of models) if (!getZooConfig(m)) throw new UsageError(`unknown model '${m}'`);
  const sizes = ints('--sizes', list(values.sizes, ['320', '640']));
  for (const s of sizes) if (s % 32 !== 0) throw new UsageError(`--sizes: ${s} is not a multiple of 32`);
  const batchesAsked = values.batches !== undefined;
  const batches = ints('--batches', list(values.batches, ['1', '8']));
  const seconds = values.seconds === undefined ? 2 : Number(values.seconds);
  if (!(seconds > 0)) throw new UsageError(`--seconds must be positive, got '${values.seconds}'`);
  // The probe starts the wasm backend, whose thread count is then fixed.
  const threads = values.threads === undefined ? {} : { threads: values.threads };
  const { available } = await probeBackends(threads);
  const wanted = list(values.backend, available);
  for (const b of wanted) {
    if (!isEngineBackend(b) || !available.includes(b)) throw new UsageError(`backend '${b}' is not available here (available: ${available.join(', ')})`);
  }

  const rows: ModelBenchRow[] = [];
  const skipped: string[] = [];
  for (const backend of wanted as EngineBackend[]) {
    const engine = await initEngine({ backend, ...threads });
    for (const name of models) {
      const model = buildModel(name, { seed: 0 });
      model.fuse();
      for (const size of sizes) {
        const prof = model.profile(size, size, true);
        for (const batch of batches) {
          // The pure-JS engine takes seconds per 640² image: its batches above 1 only when asked for.
          if (backend === 'cpu' && batch > 1 && !batchesAsked) {
            skipped.push(`cpu ${name} ${size} b${batch}`);
            continue;
          }
          const x = tf.randomUniform([batch, size, size, 3]) as tf.Tensor4D;
          const s = medianSeconds(
            () => {
              const y = model.predict(x);
              y.dataSync();
              y.dispose();
            },
            backend === 'cpu' ? Math.min(seconds, 1) : seconds,
            backend === 'cpu' ? 1 : 3,
          );
          x.dispose();
          const imagesPerSec = batch / s;
          const ref = batch === 1 && size === 640 ? UPSTREAM_INFERENCE_IMG_S[name] : undefined;
          rows.push({ backend, model: name, size, batch, ...(engine.threads !== undefined ? { threads: engine.threads } : {}), imagesPerSec, paramsFused: prof.params, gmacsFused: prof.macs / 1e9, ...(ref ? { vsUpstream: imagesPerSec / ref } : {}) });
          if (!values.json) process.stderr.write(`${backend} ${name} ${size} b${batch} (${engine.threads ?? '?'} threads): ${imagesPerSec.toFixed(2)} img/s\n`);
        }
      }
      model.dispose();
    }
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  const table = new Table({ head: ['backend', 'threads', 'model', 'size', 'batch', 'images/s', 'vs upstream (b1, 640)', 'params fused', 'GMACs fused'] });
  for (const r of rows) {
    table.push([r.backend, r.threads ?? '', r.model, r.size, r.batch, r.imagesPerSec.toFixed(2), r.vsUpstream ? `${r.vsUpstream.toFixed(2)}x` : '', r.paramsFused.toLocaleString('en'), r.gmacsFused.toFixed(2)]);
  }
  process.stdout.write(`${table.toString()}\n`);
  if (skipped.length) process.stdout.write(`not measured (slow; pass --batches to include them): ${skipped.join(', ')}\n`);
}
