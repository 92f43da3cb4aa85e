import Table from 'cli-table3';
import type { Command } from 'commander';
import * as core from '@distillery/core';
import type { ReferenceTable, RunStore } from '@distillery/db';
import { UsageError } from '../errors.ts';
import { openStore } from './shared.ts';

/**
 * Reference tables are data that core owns (`referenceTables` export, when it has landed); they are
 * copied into the database so the dashboard shows the same rows. Each row with a preset is put beside
 * the newest finished run of that preset.
 */
function coreReferenceTables(): ReferenceTable[] {
  const value = (core as unknown as Record<string, unknown>)['referenceTables'];
  if (Array.isArray(value)) return value as ReferenceTable[];
  if (value && typeof value === 'object') return Object.values(value as Record<string, ReferenceTable>);
  return [];
}

async function seed(store: RunStore): Promise<void> {
  for (const table of coreReferenceTables()) await store.upsertReferenceTable(table);
}

const cell = (v: number | string | null | undefined) => (v === null || v === undefined ? '' : typeof v === 'number' ? v.toFixed(3) : v);

export function register(program: Command): void {
  program
    .command('table')
    .description('a results table of the upstream project beside the runs that reproduce it')
    .argument('[name]', 'table key (omit to list them)')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, opts: { json?: boolean }) => {
      const store = await openStore();
      try {
        await seed(store);
        const tables = await store.listReferenceTables();
        if (name === undefined) {
          if (opts.json) process.stdout.write(`${JSON.stringify(tables.map((t) => ({ key: t.key, title: t.title })))}\n`);
          else for (const t of tables) process.stdout.write(`${t.key}\t${t.title}\n`);
          return;
        }
        const table = tables.find((t) => t.key === name);
        if (!table)
          throw new UsageError(`unknown table "${name}"${tables.length ? ` (known: ${tables.map((t) => t.key).join(', ')})` : ' (no reference tables are stored yet)'}`);
        const rows = [];
        for (const row of table.rows) {
          let reproduced = null;
          if (row.preset) {
            const [run] = (await store.listRuns({ pageSize: 1, sort: { field: 'createdAt', dir: 'desc' }, filter: { preset: row.preset, status: ['done'] } })).rows;
            reproduced = run ? { runId: run.id, ...run.result } : null;
          }
          rows.push({ ...row, reproduced });
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ ...table, rows })}\n`);
          return;
        }
        const out = new Table({ head: ['model', ...table.columns.map((c) => `${c} (ref)`), 'P', 'R', 'mAP@.5', 'mAP@.5:.95', 'run'] });
        for (const r of rows)
          out.push([r.label, ...table.columns.map((c) => cell(r.values[c])), cell(r.reproduced?.precision), cell(r.reproduced?.recall), cell(r.reproduced?.map50), cell(r.reproduced?.map5095), r.reproduced?.runId ?? (r.preset ? `(no run of ${r.preset})` : '')]);
        process.stdout.write(`${table.title}\nsource: ${table.source}\n${out.toString()}\n`);
      } finally {
        await store.close();
      }
    });
}
