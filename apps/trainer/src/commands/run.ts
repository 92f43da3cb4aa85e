import type { Command } from 'commander';
import { buildRunConfig } from '../config/build-config.ts';
import { addConfigOptions, addExecutionOptions, hostName, leaseMs, newWorkerId, openStore, overridesFrom, runInForeground } from './shared.ts';

export function register(program: Command): void {
  const command = program
    .command('run')
    .description('train one run: a preset or a YAML/JSON config, with overrides; stored in the run database')
    .argument('[source]', 'preset name, or a YAML/JSON run config file');
  addExecutionOptions(addConfigOptions(command))
    .option('--priority <n>', 'queue priority (higher first)', (v) => Number(v))
    .action(async (source: string | undefined, opts: Record<string, unknown>) => {
      // Validate everything before the database is touched.
      const config = buildRunConfig(source, overridesFrom(opts));
      const store = await openStore();
      try {
        const queue = opts['queue'] === true;
        const run = await store.createRun({
          name: config.name ?? config.preset ?? source ?? 'run',
          preset: config.preset ?? null,
          config,
          priority: typeof opts['priority'] === 'number' ? opts['priority'] : 0,
          enqueue: queue,
          createdBy: process.env.USER ?? null,
        });
        if (queue) {
          process.stdout.write(opts['json'] ? `${JSON.stringify({ run })}\n` : `queued run ${run.id} (${run.name})\n`);
          return;
        }
        const workerId = newWorkerId();
        const claimed = await store.claimRun(run.id, workerId, { leaseMs: leaseMs(), host: hostName() });
        if (!claimed) throw new Error(`run ${run.id} was taken by another worker`);
        process.exitCode = await runInForeground(store, claimed, opts['json'] === true, workerId);
      } finally {
        await store.close();
      }
    });
}
