import Table from 'cli-table3';
import type { Command } from 'commander';
import { RUN_SORT_FIELDS, RUN_STATUSES, pendingDependencies, queuedRunsWaitingFor, type RunDependency, type RunSortField, type RunStatus, type RunStore, type RunSummary } from '@distillery/db';
import { intOption } from '../config/build-config.ts';
import { UsageError } from '../errors.ts';
import { openStore } from './shared.ts';

const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '' : v.toFixed(digits));
const when = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));

export function register(program: Command): void {
  program
    .command('runs')
    .description('the runs in the database (newest first), or one run with its epochs')
    .argument('[run]', 'a run id: show that run in detail')
    .option('--status <list>', `comma-separated statuses (${RUN_STATUSES.join(', ')})`)
    .option('--search <text>', 'substring of name, preset or id')
    .option('--preset <name>', 'only runs of this preset')
    .option('--sort <field[:dir]>', `sort by ${RUN_SORT_FIELDS.join(', ')} (":asc" or ":desc")`, 'createdAt:desc')
    .option('--page <n>', 'page (1-based)', intOption('page'), 1)
    .option('--page-size <n>', 'rows per page', intOption('page-size'), 50)
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, opts: Record<string, string | number | boolean | undefined>) => {
      const store = await openStore();
      try {
        if (id !== undefined) {
          const run = await store.getRun(id);
          if (!run) throw new UsageError(`run ${id} does not exist`);
          const [epochs, result, artifacts, dependencies] = await Promise.all([store.epochs(id), store.result(id), store.artifacts(id), store.dependencies(id)]);
          if (opts['json']) {
            process.stdout.write(`${JSON.stringify({ run, result, epochs, artifacts, dependencies })}\n`);
            return;
          }
          const waiting = run.status === 'queued' ? waitingFor(dependencies) : '';
          process.stdout.write(
            `${run.id}  ${run.name}  ${run.status}${waiting ? ` (${waiting})` : ''}${run.error ? ` (${run.error})` : ''}\n` +
              `preset ${run.preset ?? '-'}  epochs ${(run.lastEpoch ?? -1) + 1}/${run.epochsPlanned}  attempts ${run.attempts}  worker ${run.workerId ?? '-'}\n` +
              `dir ${run.runDir ?? '-'}  checkpoint ${run.checkpoint ?? '-'}\n`,
          );
          const table = new Table({ head: ['epoch', 'total', 'box', 'obj', 'cls', 'distill', 'lr', 'P', 'R', 'mAP@.5', 'mAP@.5:.95', 'img/s'] });
          for (const e of epochs)
            table.push([e.epoch, num(e.total, 4), num(e.lbox, 4), num(e.lobj, 4), num(e.lcls, 4), num(e.ldistill, 4), num(e.lr, 5), num(e.precision), num(e.recall), num(e.map50), num(e.map5095), num(e.imagesPerSec, 1)]);
          if (epochs.length) process.stdout.write(`${table.toString()}\n`);
          if (result) process.stdout.write(`final: P ${num(result.precision)} R ${num(result.recall)} mAP@.5 ${num(result.map50)} mAP@.5:.95 ${num(result.map5095)} params ${result.params} GMACs ${num(result.gmacs, 2)} @${result.img}\n`);
          return;
        }
        const [field, dir = 'desc'] = String(opts['sort']).split(':');
        if (!RUN_SORT_FIELDS.includes(field as RunSortField)) throw new UsageError(`--sort: unknown field "${field}" (one of ${RUN_SORT_FIELDS.join(', ')})`);
        if (dir !== 'asc' && dir !== 'desc') throw new UsageError(`--sort: direction must be asc or desc, not "${dir}"`);
        const status = opts['status'] ? String(opts['status']).split(',').map((s) => s.trim()) : undefined;
        for (const s of status ?? []) if (!RUN_STATUSES.includes(s as RunStatus)) throw new UsageError(`--status: unknown status "${s}" (one of ${RUN_STATUSES.join(', ')})`);
        const page = await store.listRuns({
          page: Number(opts['page']),
          pageSize: Number(opts['pageSize']),
          sort: { field: field as RunSortField, dir },
          filter: { status: status as RunStatus[] | undefined, search: opts['search'] as string | undefined, preset: opts['preset'] as string | undefined },
        });
        if (opts['json']) {
          process.stdout.write(`${JSON.stringify(page)}\n`);
          return;
        }
        process.stdout.write(`${runsTable(page.rows, await waitingReasons(store, page.rows))}\n${page.total} run(s); page ${page.page} of ${Math.max(1, Math.ceil(page.total / page.pageSize))}\n`);
      } finally {
        await store.close();
      }
    });
}

/** "waits for <id> (<status>)" for the dependencies that are not done; empty when none. */
function waitingFor(dependencies: RunDependency[]): string {
  const pending = pendingDependencies(dependencies);
  return pending.length ? `waits for ${pending.map((d) => `${d.runId} (${d.status ?? 'deleted'})`).join(', ')}` : '';
}

/** Why each queued run of the page is not started yet (only those waiting for another run). */
async function waitingReasons(store: RunStore, rows: RunSummary[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [id, pending] of await queuedRunsWaitingFor(store, rows)) if (pending.length) out.set(id, waitingFor(pending));
  return out;
}

function runsTable(rows: RunSummary[], waiting: Map<string, string>): string {
  const table = new Table({ head: ['id', 'name', 'preset', 'status', 'epoch', 'P', 'R', 'mAP@.5', 'mAP@.5:.95', 'created'] });
  for (const r of rows)
    table.push([r.id, r.name, r.preset ?? '', waiting.has(r.id) ? `${r.status}, ${waiting.get(r.id)}` : r.status, `${(r.lastEpoch ?? -1) + 1}/${r.epochsPlanned}`, num(r.result?.precision), num(r.result?.recall), num(r.result?.map50), num(r.result?.map5095), when(r.createdAt)]);
  return table.toString();
}
