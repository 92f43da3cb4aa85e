/**
 * The trainer's reliability promises, end to end through the CLI in real processes: kill -9 then
 * resume, SIGTERM, two racing workers, a damaged checkpoint, and bad input. The fake trainer keeps it
 * fast; the orchestration (worker threads, leases, database, signals) is the real one.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { executions, queueRuns, sandbox, start, trainer, waitForRun, type Sandbox } from './cli-harness.ts';

let box: Sandbox | null = null;
afterEach(() => box?.dispose());

describe('trainer CLI reliability (SQLite)', { timeout: 180_000 }, () => {
  it('bad input: one line on stderr, exit code 2, nothing written', async () => {
    box = sandbox();
    const badConfig = `${box.home}/bad.yaml`;
    fs.writeFileSync(badConfig, 'epochs: 3\nhyp:\n  lr0: -1\n');
    const cases: Array<[string[], RegExp]> = [
      [['run', 'no-such-preset'], /unknown preset "no-such-preset"/],
      [['run', '--epochs', 'three'], /--epochs/],
      [['run', '--img', '100'], /img: must be a multiple of 32/],
      [['run', badConfig], /bad\.yaml.*hyp\.lr0/],
      [['run', '--data', '/does/not/exist.yaml'], /does not exist/],
      [['run', '--no-such-option'], /unknown option/],
      [['resume', 'nope'], /run nope does not exist/],
      [['run', 'dmvocs', '--data', 'demo'], /needs a finished run of preset vocs/],
      [['run', 'mvocs', '--data', 'demo', '--weights', 'no-such-run'], /neither a file nor a run id/],
      [['prune', '--weights', 'x', '--ratio', '2'], /ratio must be between 0 and 1/],
      [['table', 'nope'], /unknown table "nope"/],
    ];
    for (const [args, message] of cases) {
      const result = await trainer(box, args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
    const store = await box.open();
    expect((await store.listRuns()).total).toBe(0);
    await store.close();
  });

  it('a foreground run whose teacher is only queued is refused before anything is written', async () => {
    box = sandbox();
    const [teacher] = await queueRuns(box, ['teacher'], 1);
    const result = await trainer(box, ['run', 'dmvocs', '--data', 'demo', '--teacher', teacher!]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`strategies\\.0\\.teacher: run ${teacher} \\(teacher\\) is queued, not finished; .*--queue`));
    // With --queue it is stored, to run after its teacher.
    expect((await trainer(box, ['run', 'dmvocs', '--data', 'demo', '--teacher', teacher!, '--queue'])).code).toBe(0);
    const store = await box.open();
    expect((await store.listRuns()).rows.map((r) => r.status)).toEqual(['queued', 'queued']);
    await store.close();
  });

  it('kill -9 of a worker mid-epoch, then another worker resumes: no epoch lost or duplicated', async () => {
    box = sandbox({ FAKE_STEP_MS: '60', FAKE_STEPS: '5' });
    const [id] = await queueRuns(box, ['crash'], 4);
    const first = start(box, ['worker', '--exit-when-empty']);
    // Wait until epoch 1 is stored and the next epoch is under way, then kill without warning.
    await Promise.race([
      waitForRun(box, id, (r) => (r.lastEpoch ?? -1) >= 1 && (r.progress?.epoch ?? 0) >= 2),
      first.done.then((r) => Promise.reject(new Error(`worker exited early: ${r.stdout}${r.stderr}`))),
    ]);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const orphan = await waitForRun(box, id, () => true);
    expect(orphan.status).toBe('running'); // nobody could mark it; its lease will expire
    await waitForRun(box, id, (r) => (r.leaseUntil ?? 0) < Date.now());
    const second = await trainer(box, ['worker', '--exit-when-empty']);
    expect(second.code).toBe(0);
    const store = await box.open();
    const run = (await store.getRun(id))!;
    expect(run.status).toBe('done');
    expect(run.attempts).toBe(2);
    expect((await store.epochs(id)).map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    await store.close();
    const runs = executions(box);
    expect(runs).toHaveLength(2);
    expect(runs[1].startEpoch).toBeGreaterThanOrEqual(2); // continued from a checkpoint, not from scratch
  });

  it('two workers racing for ten queued runs execute each run exactly once', async () => {
    box = sandbox({ FAKE_STEP_MS: '2', FAKE_STEPS: '2' });
    const names = Array.from({ length: 10 }, (_, i) => `race-${i}`);
    const ids = await queueRuns(box, names, 1);
    const [a, b] = await Promise.all([trainer(box, ['worker', '--exit-when-empty']), trainer(box, ['worker', '--exit-when-empty'])]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const store = await box.open();
    for (const id of ids) {
      const run = (await store.getRun(id))!;
      expect(run.status).toBe('done');
      expect(run.attempts).toBe(1);
    }
    await store.close();
    expect(executions(box).map((e) => e.name).sort()).toEqual([...names].sort());
  });

  it('SIGTERM checkpoints and marks the run interrupted; a damaged checkpoint is refused; resume finishes it', async () => {
    box = sandbox({ FAKE_STEP_MS: '60', FAKE_STEPS: '4' });
    const foreground = start(box, ['run', '--name', 'term', '--epochs', '4', '--img', '64']);
    let id = '';
    const store = await box.open();
    for (let i = 0; i < 600 && !id; i++) {
      const [run] = (await store.listRuns()).rows;
      if (run && (run.lastEpoch ?? -1) >= 0) id = run.id;
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(id).not.toBe('');
    foreground.child.kill('SIGTERM');
    const stopped = await foreground.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toMatch(/interrupted \(SIGTERM\)/);
    const interrupted = (await store.getRun(id))!;
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.checkpoint).toBeTruthy();

    // Truncate the checkpoint: resume refuses with one clear line and changes nothing.
    const checkpoint = interrupted.checkpoint!;
    const good = fs.readFileSync(checkpoint);
    fs.writeFileSync(checkpoint, good.subarray(0, good.length >> 1));
    const refused = await trainer(box, ['resume', id]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/no usable checkpoint.*truncated/);
    expect(await store.getRun(id)).toEqual(interrupted);

    fs.writeFileSync(checkpoint, good);
    const resumed = await trainer(box, ['resume', id, '--json']);
    expect(resumed.code).toBe(0);
    const output = JSON.parse(resumed.stdout) as { run: { status: string } };
    expect(output.run.status).toBe('done');
    expect((await store.epochs(id)).map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    await store.close();
  });
});
