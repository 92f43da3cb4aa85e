import type { Command } from 'commander';
import { buildRunConfig, numberOption } from '../config/build-config.ts';
import { UsageError } from '../errors.ts';
import { addConfigOptions, addExecutionOptions, hostName, leaseMs, newWorkerId, openStore, overridesFrom, runInForeground } from './shared.ts';

/**
 * Prune a sparsity-trained model's BN channels (by ratio or γ threshold), then fine-tune: a run whose
 * config has `prune` set. The pruning itself is core's (its training entry rewrites the network first).
 */
export function register(program: Command): void {
  const command = program
    .command('prune')
    .description('prune BN channels of --weights (by --ratio or --threshold), then fine-tune for --epochs')
    .argument('[source]', 'preset name, or a YAML/JSON run config file');
  addExecutionOptions(addConfigOptions(command))
    .option('--ratio <r>', 'prune this fraction of channels (0..1)', numberOption('ratio'))
    .option('--threshold <t>', 'prune channels with |γ| below this', numberOption('threshold'))
    .action(async (source: string | undefined, opts: Record<string, unknown>) => {
      const ratio = opts['ratio'] as number | undefined;
      const threshold = opts['threshold'] as number | undefined;
      if ((ratio === undefined) === (threshold === undefined)) throw new UsageError('prune: give exactly one of --ratio or --threshold');
      const prune = ratio !== undefined ? { mode: 'ratio', ratio } : { mode: 'threshold', threshold };
      const overrides = { ...overridesFrom(opts), prune };
      const config = buildRunConfig(source, overrides);
      if (!config.weights) throw new UsageError('prune: --weights (the sparsity-trained run or checkpoint) is required');
      const store = await openStore();
      try {
        const run = await store.createRun({
          name: config.name ?? `prune-${prune.mode}`,
          preset: config.preset ?? null,
          config,
          enqueue: opts['queue'] === true,
        });
        if (opts['queue'] === true) {
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
