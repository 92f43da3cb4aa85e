import type { Command } from 'commander';
import { buildRunConfig } from '../config/build-config.ts';
import { addConfigOptions, addExecutionOptions, createAndExecute, openStore, overridesFrom } from './shared.ts';

export function register(program: Command): void {
  const command = program
    .command('run')
    .description('train one run: a preset or a YAML/JSON config, with overrides; stored in the run database')
    .argument('[source]', 'preset name (vocs, mvocs, dmvocs, ... see `pnpm trainer presets`), or a YAML/JSON run config file');
  addExecutionOptions(addConfigOptions(command))
    .option('--priority <n>', 'queue priority (higher first)', (v) => Number(v))
    .action(async (source: string | undefined, opts: Record<string, unknown>) => {
      // Validate everything before the database is touched.
      const config = buildRunConfig(source, overridesFrom(opts));
      const store = await openStore();
      try {
        await createAndExecute(store, config, {
          queue: opts['queue'] === true,
          json: opts['json'] === true,
          priority: typeof opts['priority'] === 'number' ? opts['priority'] : 0,
          fallbackName: source ?? 'run',
        });
      } finally {
        await store.close();
      }
    });
}
