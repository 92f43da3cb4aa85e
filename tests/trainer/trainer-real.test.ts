/**
 * The trainer with the REAL training loop (core's train() in the Piscina train worker, the data and
 * evaluation pools beside it), end to end through the CLI on a tiny generated set and a tiny YOLOv5:
 * `run` stores epochs, final results and checkpoint artifacts; an interrupted run resumes to the end
 * with every epoch recorded once; `prune` turns a finished run into a smaller network that fine-tunes,
 * and rejects a bad ratio before writing anything.
 */
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoDataset } from '@distillery/core/node';
import { getZooConfig } from '@distillery/models';
import { sandbox, start, trainer, waitForRun, type Sandbox } from './cli-harness.ts';

let box: Sandbox;
let data: string;
let model: string;
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

beforeAll(async () => {
  // No DISTILLERY_TRAINER_MODULE: the executor loads @distillery/core/node's train().
  box = sandbox({ DISTILLERY_TRAINER_MODULE: '', DISTILLERY_LEASE_MS: '30000', DISTILLERY_BACKEND: '' });
  await ensureDemoDataset(path.join(box.home, 'tiny'), { seed: 1, train: 16, val: 8, test: 0, imageSize: 96, maxObjects: 3 });
  data = path.join(box.home, 'tiny', 'dataset.yaml');
  // yolov5s_voc's layout at width 0.125: the zoo text with only width_multiple changed.
  model = path.join(box.home, 'tiny-yolo.yaml');
  fs.writeFileSync(model, getZooConfig('yolov5s_voc')!.replace(/^width_multiple:.*$/m, 'width_multiple: 0.125'));
}, 60_000);
afterAll(() => box?.dispose());

const common = () => ['--model', model, '--data', data, '--img', '64', '--batch', '4', '--workers', '1', '--backend', 'wasm'];

describe('trainer CLI with the real training loop', { timeout: 240_000 }, () => {
  let firstRun = '';

  it('run: epochs, final results and checkpoint artifacts in the database', async () => {
    const result = await trainer(box, ['run', ...common(), '--epochs', '2', '--name', 'tiny', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as { run: { id: string; status: string } };
    expect(out.run.status).toBe('done');
    firstRun = out.run.id;
    const store = await box.open();
    try {
      const epochs = await store.epochs(firstRun);
      expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
      for (const e of epochs) {
        expect(Number.isFinite(e.total) && e.total > 0).toBe(true);
        expect(e.map50).not.toBeNull(); // evaluated (in the evaluation thread)
      }
      const final = await store.result(firstRun);
      expect(final?.img).toBe(64);
      expect(final?.params).toBeGreaterThan(1000);
      const artifacts = await store.artifacts(firstRun);
      const kinds = new Set(artifacts.map((a) => a.kind));
      expect(kinds.has('checkpoint-last')).toBe(true);
      expect(kinds.has('checkpoint-best')).toBe(true);
      const last = artifacts.filter((a) => a.kind === 'checkpoint-last').pop()!;
      expect(fs.statSync(last.path).size).toBe(last.bytes);
      expect(sha256(last.path)).toBe(last.sha256);
      const run = await store.getRun(firstRun);
      expect(run?.config.overrides).toEqual(expect.arrayContaining(['epochs=2', 'img=64']));
    } finally {
      await store.close();
    }
    // eval --weights: the last checkpoint (the EMA weights evaluated at the end) reproduces the final numbers
    const s0 = await box.open();
    const lastPath = (await s0.artifacts(firstRun)).filter((a) => a.kind === 'checkpoint-last').pop()!.path;
    await s0.close();
    const evaluated = await trainer(box, ['eval', '--weights', lastPath, '--data', data, '--img', '64', '--backend', 'wasm', '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const m = JSON.parse(evaluated.stdout) as { mAP50: number; mP: number; images: number };
    expect(m.images).toBe(8);
    const s = await box.open();
    const final = await s.result(firstRun);
    await s.close();
    expect(m.mAP50).toBeCloseTo(final!.map50, 4);
  });

  it('SIGINT mid-run, then resume: done, every epoch recorded once', async () => {
    const { child, done } = start(box, ['run', ...common(), '--epochs', '4', '--name', 'interrupted']);
    const store = await box.open();
    let id = '';
    try {
      for (const until = Date.now() + 120_000; !id && Date.now() < until; ) {
        id = (await store.listRuns({ filter: { search: 'interrupted' } })).rows[0]?.id ?? '';
        if (!id) await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await store.close();
    }
    expect(id).not.toBe('');
    await waitForRun(box, id, (r) => r.lastEpoch !== null && r.lastEpoch >= 0, 120_000);
    child.kill('SIGINT');
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    const interrupted = await waitForRun(box, id, (r) => r.status === 'interrupted', 10_000);
    expect(interrupted.lastEpoch).toBeLessThan(3);

    const resumed = await trainer(box, ['resume', id]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/resuming from .*last\.safetensors/);
    const s = await box.open();
    try {
      expect((await s.getRun(id))?.status).toBe('done');
      expect((await s.epochs(id)).map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    } finally {
      await s.close();
    }
  });

  it('prune: a bad ratio is refused before anything is written; a finished run prunes and fine-tunes', async () => {
    expect(firstRun).not.toBe('');
    const count = async () => {
      const s = await box.open();
      const n = (await s.listRuns()).total;
      await s.close();
      return n;
    };
    const before = await count();
    const bad = await trainer(box, ['prune', '--weights', firstRun, '--ratio', '1.5', ...common()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ratio must be between 0 and 1/);
    expect(await count()).toBe(before);

    const result = await trainer(box, ['prune', '--weights', firstRun, '--ratio', '0.3', '--epochs', '1', ...common(), '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/params \d+ → \d+/);
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as { run: { id: string; status: string } };
    expect(out.run.status).toBe('done');
    const s = await box.open();
    try {
      const pruned = await s.result(out.run.id);
      const original = await s.result(firstRun);
      expect(pruned!.params).toBeLessThan(original!.params);
      expect((await s.artifacts(out.run.id)).map((a) => a.kind)).toContain('pruned-model');
      expect((await s.epochs(out.run.id)).map((e) => e.epoch)).toEqual([0]);
    } finally {
      await s.close();
    }
  });
});
