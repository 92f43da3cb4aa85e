/**
 * `pnpm trainer models [--json] [--size 640] [--nc 20]`: every shipped model config with its parameters and
 * GMACs counted as upstream did (thop 0.0.31; fused = after `model.fuse()`, as `script/cal_flop.py`).
 * `--json` prints `[{"model", "params", "paramsFused", "gmacs", "gmacsFused"}]`.
 */
import type { Command } from 'commander';
import Table from 'cli-table3';
import { buildModel, zooNames } from '@distillery/models';
import { initEngine } from '@distillery/models/node';
import { UsageError } from '../errors.ts';

export interface ModelCount {
  model: string;
  params: number;
  paramsFused: number;
  gmacs: number;
  gmacsFused: number;
}

export function countModel(name: string, size = 640, nc = 20): ModelCount {
  const m = buildModel(name, { nc, init: 'zeros' });
  try {
    const unfused = m.profile(size, size, false);
    const fused = m.profile(size, size, true);
    return { model: name, params: unfused.params, paramsFused: fused.params, gmacs: unfused.macs / 1e9, gmacsFused: fused.macs / 1e9 };
  } finally {
    m.dispose();
  }
}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got '${v}'`);
  return n;
}

export function register(program: Command): void {
  program
    .command('models')
    .description('list the model zoo with params and GMACs (thop rules, unfused and fused) at 640x640, nc=20')
    .option('--json', 'print a JSON array')
    .option('--size <pixels>', 'square input size', '640')
    .option('--nc <classes>', 'number of classes', '20')
    .action(async (opts: { json?: boolean; size: string; nc: string }) => {
      const size = positiveInt('--size', opts.size);
      if (size % 32 !== 0) throw new UsageError(`--size must be a multiple of 32, got ${size}`);
      const nc = positiveInt('--nc', opts.nc);
      // Counting needs shapes only; the weights are allocated on the cheapest backend.
      await initEngine({ backend: 'cpu' });
      const rows = zooNames().map((n) => countModel(n, size, nc));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows)}\n`);
        return;
      }
      const table = new Table({ head: ['model', 'params', 'params fused', `GMACs ${size}²`, 'GMACs fused'] });
      for (const r of rows) table.push([r.model, r.params.toLocaleString('en'), r.paramsFused.toLocaleString('en'), r.gmacs.toFixed(2), r.gmacsFused.toFixed(2)]);
      process.stdout.write(`${table.toString()}\n`);
    });
}
