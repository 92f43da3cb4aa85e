import Table from 'cli-table3';
import type { Command } from 'commander';
import { UPSTREAM_TABLES } from '@distillery/core';
import { UsageError } from '../errors.ts';
import { buildResultsTable, findTable, seedReferenceTables, tableCells, tableIds, toMarkdown } from '../tables/results-table.ts';
import { openStore, plainStyle } from './shared.ts';

/**
 * `table NAME`: an upstream README table (reference data from core, copied into the database) with
 * the best matching finished run of ours beside each row, its data set / image size / epochs, and the
 * difference. Without NAME: the list of tables.
 */
export function register(program: Command): void {
  program
    .command('table')
    .description('a results table of the upstream project (reference numbers) beside the runs that reproduce it')
    .argument('[name]', `table id: ${tableIds().join(', ')} (omit to list them)`)
    .option('--json', 'print JSON')
    .option('--markdown', 'print a Markdown table')
    .action(async (name: string | undefined, opts: { json?: boolean; markdown?: boolean }) => {
      if (name !== undefined && !findTable(name)) throw new UsageError(`unknown table "${name}" (known: ${tableIds().join(', ')})`);
      const store = await openStore();
      try {
        await seedReferenceTables(store);
        if (name === undefined) {
          if (opts.json) process.stdout.write(`${JSON.stringify(UPSTREAM_TABLES.map((t) => ({ id: t.id, title: t.title })))}\n`);
          else for (const t of UPSTREAM_TABLES) process.stdout.write(`${t.id.padEnd(20)} ${t.title}\n`);
          return;
        }
        const table = await buildResultsTable(store, findTable(name)!);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(table)}\n`);
          return;
        }
        if (opts.markdown) {
          process.stdout.write(toMarkdown(table));
          return;
        }
        const { head, rows } = tableCells(table);
        const out = new Table({ head, style: plainStyle() });
        for (const r of rows) out.push(r);
        process.stdout.write(`${table.title}\n${out.toString()}\nsource: ${table.source}\n${table.note ? `note: ${table.note}\n` : ''}`);
      } finally {
        await store.close();
      }
    });
}
