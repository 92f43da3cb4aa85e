import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@distillery/db';
import { executeRun } from '../src/execution/run-executor.ts';
import { silentReporter } from '../src/execution/reporter.ts';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-exec-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
const fake = new URL('./fixtures/fake-trainer.ts', import.meta.url).href;
const config = (name: string, epochs: number) => ({ name, model: 'm', data: 'demo', epochs, img: 64 });

describe('executeRun (fake trainer in a Piscina worker)', () => {
  it('runs to done, recording every epoch and the checkpoint', async () => {
    const store = await openDatabase({ home });
    const created = await store.createRun({ name: 'ok', config: config('ok', 3) });
    const run = (await store.claimNextRun('w', { leaseMs: 10_000 }))!;
    expect(run.id).toBe(created.id);
    const outcome = await executeRun({ store, run, workerId: 'w', stop: new AbortController().signal, reporter: silentReporter, home, trainerModule: fake });
    expect(outcome.status).toBe('done');
    const done = (await store.getRun(run.id))!;
    expect(done.status).toBe('done');
    expect((await store.epochs(run.id)).map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(done.checkpoint).toBe(path.join(home, 'runs', run.id, 'last.json'));
    expect((await store.result(run.id))?.map50).toBe(0.4);
    await store.close();
  });

  it('marks a throwing run failed with its error', async () => {
    const store = await openDatabase({ home });
    await store.createRun({ name: 'explode', config: config('explode', 3) });
    const run = (await store.claimNextRun('w', { leaseMs: 10_000 }))!;
    const outcome = await executeRun({ store, run, workerId: 'w', stop: new AbortController().signal, reporter: silentReporter, home, trainerModule: fake });
    expect(outcome.status).toBe('failed');
    const failed = (await store.getRun(run.id))!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/exploded on purpose/);
    expect((await store.epochs(run.id)).map((e) => e.epoch)).toEqual([0]);
    await store.close();
  });

  it('fails clearly when the trainer module has no train()', async () => {
    const store = await openDatabase({ home });
    await store.createRun({ name: 'none', config: config('none', 1) });
    const run = (await store.claimNextRun('w', { leaseMs: 10_000 }))!;
    const noTrain = new URL('./fixtures/no-train.ts', import.meta.url).href;
    const outcome = await executeRun({ store, run, workerId: 'w', stop: new AbortController().signal, reporter: silentReporter, home, trainerModule: noTrain });
    expect(outcome.status).toBe('failed');
    expect((await store.getRun(run.id))?.error).toMatch(/does not export train\(\)/);
    await store.close();
  });

  it('stops gracefully on a stop request and resumes from the checkpoint without losing or repeating epochs', async () => {
    process.env.FAKE_STEP_MS = '20';
    const store = await openDatabase({ home });
    await store.createRun({ name: 'stop', config: config('stop', 4) });
    const run = (await store.claimNextRun('w', { leaseMs: 10_000 }))!;
    const stop = new AbortController();
    const watcher = setInterval(async () => {
      if (((await store.getRun(run.id))?.lastEpoch ?? -1) >= 1) stop.abort('SIGTERM');
    }, 10);
    const outcome = await executeRun({ store, run, workerId: 'w', stop: stop.signal, reporter: silentReporter, home, trainerModule: fake });
    clearInterval(watcher);
    expect(outcome).toEqual({ status: 'interrupted', reason: 'SIGTERM' });
    const interrupted = (await store.getRun(run.id))!;
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.lastEpoch).toBeLessThan(3);
    const again = (await store.claimRun(run.id, 'w2', { leaseMs: 10_000 }))!;
    const resumed = await executeRun({ store, run: again, workerId: 'w2', stop: new AbortController().signal, reporter: silentReporter, home, trainerModule: fake });
    expect(resumed.status).toBe('done');
    expect((await store.epochs(run.id)).map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    delete process.env.FAKE_STEP_MS;
    await store.close();
  });
});
