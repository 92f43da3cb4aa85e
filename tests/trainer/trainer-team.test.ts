/**
 * Team mode end to end: workers in separate processes share a real PostgreSQL (a throwaway cluster
 * started here) through the pg-boss queue. Skipped, with the reason, when no PostgreSQL can be started.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startTestPostgres } from '@distillery/db/testing';
import { executions, queueRuns, sandbox, start, trainer, waitForRun } from './cli-harness.ts';

const pg = await startTestPostgres();
if (pg.server) console.info(`team-mode tests on ${pg.server.how}`);
else console.warn(`skipping team-mode tests: ${pg.reason}`);
afterAll(async () => pg.server?.stop());

describe.skipIf(!pg.server)('trainer team mode (PostgreSQL + pg-boss)', { timeout: 180_000 }, () => {
  it('workers on a shared queue execute each run once, and resume a crashed worker\'s run from its checkpoint', async () => {
    const box = sandbox({ DATABASE_URL: pg.server!.url, FAKE_STEP_MS: '40', FAKE_STEPS: '4' });
    try {
      const [crashId] = await queueRuns(box, ['team-crash'], 3);
      const doomed = start(box, ['worker', '--exit-when-empty']);
      await Promise.race([
        waitForRun(box, crashId, (r) => (r.lastEpoch ?? -1) >= 0 && (r.progress?.epoch ?? 0) >= 1),
        doomed.done.then((r) => Promise.reject(new Error(`worker exited early: ${r.stdout}${r.stderr}`))),
      ]);
      doomed.child.kill('SIGKILL');
      await doomed.done;

      const names = Array.from({ length: 6 }, (_, i) => `team-${i}`);
      const ids = await queueRuns(box, names, 1);
      await waitForRun(box, crashId, (r) => (r.leaseUntil ?? 0) < Date.now());
      const [a, b] = await Promise.all([trainer(box, ['worker', '--exit-when-empty']), trainer(box, ['worker', '--exit-when-empty'])]);
      expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);

      const store = await box.open();
      expect(store.dialect).toBe('postgres');
      for (const id of [...ids, crashId]) expect((await store.getRun(id))?.status).toBe('done');
      expect((await store.epochs(crashId)).map((e) => e.epoch)).toEqual([0, 1, 2]);
      expect((await store.getRun(crashId))?.attempts).toBe(2);
      await store.close();
      const log = executions(box);
      expect(log.filter((e) => e.name.startsWith('team-') && e.name !== 'team-crash').map((e) => e.name).sort()).toEqual(names);
      const crashRuns = log.filter((e) => e.name === 'team-crash');
      expect(crashRuns).toHaveLength(2);
      expect(crashRuns[1].startEpoch).toBeGreaterThanOrEqual(1);
    } finally {
      box.dispose();
    }
  });
});
