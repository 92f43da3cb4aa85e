import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { CheckpointError, findResumePoint } from '../execution/checkpoint-check.ts';
import { addExecutionOptions, hostName, leaseMs, newWorkerId, openStore, runInForeground } from './shared.ts';

export function register(program: Command): void {
  addExecutionOptions(
    program
      .command('resume')
      .description('continue an interrupted or failed run from its last checkpoint')
      .argument('<run>', 'run id'),
  ).action(async (id: string, opts: Record<string, unknown>) => {
    const store = await openStore();
    try {
      const run = await store.getRun(id);
      if (!run) throw new UsageError(`run ${id} does not exist (see: pnpm trainer runs)`);
      if (run.status === 'done') throw new UsageError(`run ${id} is already done`);
      if (run.status === 'running' && (run.leaseUntil ?? 0) > Date.now())
        throw new UsageError(`run ${id} is running on ${run.workerId ?? 'another worker'}`);
      // A damaged checkpoint is bad input: say so and change nothing.
      try {
        await findResumePoint(store, id);
      } catch (error) {
        if (error instanceof CheckpointError) throw new UsageError(error.message);
        throw error;
      }
      if (opts['queue'] === true) {
        const queued = await store.enqueueRun(id);
        process.stdout.write(opts['json'] ? `${JSON.stringify({ run: queued })}\n` : `queued run ${id} to resume\n`);
        return;
      }
      const workerId = newWorkerId();
      const claimed = await store.claimRun(id, workerId, { leaseMs: leaseMs(), host: hostName() });
      if (!claimed) throw new UsageError(`run ${id} cannot be resumed now (status ${run.status})`);
      process.exitCode = await runInForeground(store, claimed, opts['json'] === true, workerId);
    } finally {
      await store.close();
    }
  });
}
