import type { Command } from 'commander';
import { intOption } from '../config/build-config.ts';
import { createReporter } from '../execution/reporter.ts';
import { executeRun } from '../execution/run-executor.ts';
import { sleep, stopOnSignals } from '../execution/stop-signals.ts';
import { describeOutcome, home, hostName, leaseMs, newWorkerId, openStore } from './shared.ts';

export function register(program: Command): void {
  program
    .command('worker')
    .description('execute queued runs until stopped (SIGINT/SIGTERM: checkpoint and mark the current run interrupted)')
    .option('--exit-when-empty', 'stop when the queue is empty instead of waiting')
    .option('--max-runs <n>', 'stop after this many runs', intOption('max-runs'))
    .option('--poll-ms <n>', 'how often to look at an empty queue', intOption('poll-ms'), 2000)
    .action(async (opts: { exitWhenEmpty?: boolean; maxRuns?: number; pollMs: number }) => {
      const store = await openStore();
      const stop = stopOnSignals();
      const workerId = newWorkerId();
      const log = (line: string) => process.stdout.write(`[worker ${workerId}] ${line}\n`);
      log(`waiting for runs in ${store.location}`);
      let executed = 0;
      try {
        while (!stop.signal.aborted && (opts.maxRuns === undefined || executed < opts.maxRuns)) {
          const run = await store.claimNextRun(workerId, { leaseMs: leaseMs(), host: hostName() });
          if (!run) {
            if (opts.exitWhenEmpty) break;
            await sleep(opts.pollMs, stop.signal);
            continue;
          }
          log(`claimed run ${run.id} (${run.name}), attempt ${run.attempts}`);
          const outcome = await executeRun({ store, run, workerId, leaseMs: leaseMs(), stop: stop.signal, reporter: createReporter(), home: home() });
          log(describeOutcome(run, outcome));
          executed++;
        }
      } finally {
        stop.dispose();
        await store.close();
      }
      log(`stopped after ${executed} run(s)`);
    });
}
