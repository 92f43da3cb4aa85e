import Table from 'cli-table3';
import type { Command } from 'commander';
import { BUILTIN_STUDIES, UPSTREAM_PRESETS } from '@distillery/core';

/** The upstream experiments (`train.py --type`) as presets, and the studies that chain them. */
export function register(program: Command): void {
  program
    .command('presets')
    .description('list the presets (one per upstream train.py --type) and the studies that chain them')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ presets: UPSTREAM_PRESETS, studies: BUILTIN_STUDIES })}\n`);
        return;
      }
      const table = new Table({ head: ['preset', 'upstream --type', 'model', 'title'] });
      for (const p of UPSTREAM_PRESETS) table.push([p.name, p.upstreamType ?? '', String(p.config.model ?? ''), p.title]);
      process.stdout.write(`${table.toString()}\nstudies: ${BUILTIN_STUDIES.map((s) => s.name).join(', ')}\n`);
    });
}
