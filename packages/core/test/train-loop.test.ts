import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../src/checkpoint/file.ts';
import { parseRunConfig, type RunConfigInput } from '../src/config/run-config.ts';
import { DEMO_CLASS_NAMES } from '../src/data/demo/classes.ts';
import { ensureDemoDataset } from '../src/data/demo/generate.ts';
import { train } from '../src/train/train.ts';
import type { TrainResult } from '../src/train/types.ts';

let dir: string;
const factory = () => ({
  module: new URL('./fixtures/tiny-detector.ts', import.meta.url).href,
  export: 'createTinyDetector',
  args: { seed: 5, nc: DEMO_CLASS_NAMES.length, width: 8 },
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'distillery-train-loop-'));
  await ensureDemoDataset(path.join(dir, 'demo'), { train: 12, val: 4, test: 0, imageSize: 64, maxObjects: 3, seed: 11 });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function config(over: Partial<RunConfigInput> = {}) {
  return parseRunConfig({
    model: 'tiny-fixture',
    data: path.join(dir, 'demo', 'dataset.yaml'),
    img: 64,
    batch: 4,
    epochs: 2,
    backend: 'cpu',
    workers: 1,
    seed: 3,
    ...over,
  });
}

describe('train() on a tiny detector', () => {
  it('keeps tf.memory().numTensors flat across steps and epochs, and reports every epoch', async () => {
    const counts: number[] = [];
    const epochs: number[] = [];
    const result = await train(config({ epochs: 3 }), {
      runDir: path.join(dir, 'leak'),
      modelFactory: factory(),
      onStep: () => counts.push(tf.memory().numTensors),
      onEpoch: (m) => void epochs.push(m.epoch),
    });
    expect(result.status).toBe('done');
    expect(epochs).toEqual([0, 1, 2]);
    expect(counts.length).toBe(9);
    // From the second step on (optimiser slots exist), every step ends with the same number of tensors.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(result.epochs.every((m) => Number.isFinite(m.map50) && Number.isFinite(m.total) && m.imagesPerSec > 0)).toBe(true);
    expect(result.final.params).toBeGreaterThan(0);
  }, 120_000);

  it('resumes exactly: interrupted + resumed equals uninterrupted', async () => {
    const full = await train(config(), { runDir: path.join(dir, 'full'), modelFactory: factory() });
    const ac = new AbortController();
    const first = await train(config(), {
      runDir: path.join(dir, 'split'),
      modelFactory: factory(),
      signal: ac.signal,
      onStep: (p) => {
        if (p.epoch === 0 && p.step === 1) ac.abort();
      },
    });
    expect(first.status).toBe('interrupted');
    const ck = await readCheckpoint(first.last!);
    expect(ck.position.epoch).toBe(0);
    expect(ck.position.batch).toBe(2);
    const second: TrainResult = await train(config(), { runDir: path.join(dir, 'split'), modelFactory: factory(), resumeFrom: first.last });
    expect(second.status).toBe('done');
    const a = await readCheckpoint(full.last!);
    const b = await readCheckpoint(second.last!);
    for (const part of ['ema', 'model'] as const) {
      expect([...b[part].keys()]).toEqual([...a[part].keys()]);
      for (const [k, t] of a[part]) expect(Array.from(b[part].get(k)!.data), `${part} ${k}`).toEqual(Array.from(t.data));
    }
    expect(b.position.emaUpdates).toBe(a.position.emaUpdates);
    expect(second.epochs.map((m) => [m.lbox, m.map50])).toEqual(full.epochs.map((m) => [m.lbox, m.map50]));
  }, 120_000);
});
