/**
 * A prune stage inside `train()`: sparse-train a tiny network, then a run with `prune` + `weights` prunes
 * that checkpoint and fine-tunes the smaller network from the pruned weights (and resumes on it).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunConfig } from '../src/config/run-config.ts';
import { ensureDemoDataset } from '../src/data/demo/generate.ts';
import { train } from '../src/train/train.ts';

const yamlPath = fileURLToPath(new URL('./fixtures/tiny-yolo.yaml', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'distillery-prune-train-'));
  await ensureDemoDataset(path.join(dir, 'demo'), { train: 8, val: 4, test: 0, imageSize: 64, maxObjects: 2, seed: 3 });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = () => ({
  model: yamlPath,
  data: path.join(dir, 'demo', 'dataset.yaml'),
  img: 64,
  batch: 4,
  nominalBatch: 4,
  epochs: 1,
  backend: 'wasm' as const,
  workers: 1,
  augment: false,
  warmupIterations: 0,
  warmupEpochs: 0,
});

describe('train() with a prune stage', () => {
  it('prunes the given weights and fine-tunes a smaller network', async () => {
    const sparse = await train(parseRunConfig({ ...base(), strategies: [{ kind: 'sparsity', sl: 1e-3 }] }), {
      runDir: path.join(dir, 'sparse'),
    });
    expect(sparse.status).toBe('done');

    const config = parseRunConfig({ ...base(), weights: sparse.last, prune: { mode: 'ratio', ratio: 0.4 } });
    const runDir = path.join(dir, 'pruned');
    const result = await train(config, { runDir });
    expect(result.status).toBe('done');
    const yaml = await readFile(path.join(runDir, 'pruned.yaml'), 'utf8');
    expect(yaml).toMatch(/channels:/);
    expect(result.final.params).toBeLessThan(sparse.final.params * 0.9);
    expect(result.final.params).toBeGreaterThan(0);
  }, 180_000);

  it('refuses a prune stage without weights before training', async () => {
    const config = parseRunConfig({ ...base(), prune: { mode: 'ratio', ratio: 0.5 } });
    await expect(train(config, { runDir: path.join(dir, 'noweights') })).rejects.toThrow(/needs `weights`/);
  });
});
