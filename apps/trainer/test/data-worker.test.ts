import os from 'node:os';
import path from 'node:path';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createDataLoader, ensureDemoDataset, loadSample } from '@distillery/core/node';
import type { Batch } from '@distillery/core';
import { isDataError } from '@distillery/core';
import { createDataWorkerPool, type DataWorkerPool } from '../src/workers/data.ts';

let pool: DataWorkerPool | undefined;
afterAll(async () => pool?.close());

describe('Piscina data worker', () => {
  it('loads the same batches in worker threads as in-thread', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'distillery-worker-'));
    const description = await ensureDemoDataset(dir, { seed: 3, train: 6, val: 2, test: 0, imageSize: 96 });
    // vitest's own execArgv has no TypeScript loader for a worker; tsx provides one
    pool = createDataWorkerPool({ threads: 1, execArgv: ['--import', 'tsx'] });
    const opts = { description, split: 'train', batchSize: 3, img: 64, augment: true, seed: 5 } as const;
    const viaPool = await createDataLoader({ ...opts, source: pool.source });
    const inThread = await createDataLoader(opts);
    const a: Batch[] = [];
    const b: Batch[] = [];
    for await (const x of viaPool.epoch(2)) a.push(x);
    for await (const x of inThread.epoch(2)) b.push(x);
    expect(a).toHaveLength(2);
    a.forEach((x, i) => {
      expect(x.paths).toEqual(b[i].paths);
      expect(Array.from(x.targets)).toEqual(Array.from(b[i].targets));
      expect(Buffer.from(x.images.buffer).equals(Buffer.from(b[i].images.buffer))).toBe(true);
    });
    // a DataError from a worker keeps its file/problem for badSamples: 'skip'
    const err = await pool.source({ description, split: 'train', index: 99, options: { img: 64, augment: false }, seed: 0 }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/index 99 is outside split 'train'/);
    const bad = path.join(dir, 'JPEGImages', 'val_000001.jpg');
    await writeFile(bad, 'not an image');
    const dataErr = (await pool.source({ description, split: 'val', index: 1, options: { img: 64, augment: false }, seed: 0 }).catch((e: unknown) => e)) as Error & { file?: string };
    expect(dataErr.name).toBe('DataError');
    expect(dataErr.file).toBe(bad);
    expect(dataErr.message).toMatch(/image does not decode/);
    expect(isDataError(dataErr)).toBe(true);
    expect(await loadSample(description, 'val', 0, { img: 64, augment: false }, 0)).toBeTruthy();
  }, 60_000);
});
