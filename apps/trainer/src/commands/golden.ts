import fs from 'node:fs';
import type { Command } from 'commander';
import { initEngine } from '@distillery/models/node';
import { UsageError } from '../errors.ts';
import { GOLDEN_AREAS, runGolden } from '../golden/index.ts';

export function register(program: Command): void {
  program
    .command('golden')
    .description('compare against upstream reference data: prints ONE JSON object {ok, checks}; exit 0 only if all ok')
    .argument('<dir>', 'folder of golden cases (weights, inputs, outputs, losses, metrics)')
    .option('--area <list>', `only these areas (${GOLDEN_AREAS.join(', ')})`)
    .option('--backend <name>', 'compute engine for the tfjs checks (default: auto / DISTILLERY_BACKEND)')
    .action(async (dir: string, opts: { area?: string; backend?: string }) => {
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`golden: ${dir} is not a folder`);
      const areas = opts.area ? opts.area.split(',').map((a) => a.trim()) : GOLDEN_AREAS;
      for (const a of areas)
        if (!(GOLDEN_AREAS as readonly string[]).includes(a)) throw new UsageError(`--area: unknown area "${a}" (one of ${GOLDEN_AREAS.join(', ')})`);
      // stdout carries the JSON only: whatever the checkers (or tfjs) print goes to stderr.
      const toStderr = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
      const saved = { log: console.log, info: console.info, warn: console.warn, debug: console.debug };
      Object.assign(console, { log: toStderr, info: toStderr, warn: toStderr, debug: toStderr });
      let report;
      try {
        // The checkers share one tfjs engine, chosen once here as for training.
        const engine = await initEngine({ backend: opts.backend ?? process.env.DISTILLERY_BACKEND ?? 'auto' });
        process.stderr.write(`engine: ${engine.backend}\n`);
        report = await runGolden(dir, areas);
      } finally {
        Object.assign(console, saved);
      }
      // NaN is not JSON: an unmeasured error is written as null.
      process.stdout.write(`${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`);
      process.exitCode = report.ok ? 0 : 1;
    });
}
