/**
 * The results tables page: every upstream table (reference data with its source), each row beside
 * the best finished run of ours made from the same preset (highest mAP@0.5), with the data set,
 * image size and epochs it was run with, and the difference (ours − reference) per metric.
 */
import type { ReferenceTable, RunStore } from '@distillery/db';
import { configSummary } from '~/server/runs/config-summary.ts';
import { referenceTablesFromCore } from '~/server/presets/catalog.ts';
import { metricOfColumn, metricValue, type MetricKey } from '~/server/tables/metric-columns.ts';

export interface ResultsColumn {
  key: string;
  metric: MetricKey | null;
}

export interface MatchedRun {
  id: string;
  name: string;
  data: string;
  img: number | null;
  epochs: number | null;
  values: Record<string, number | null>;
}

export interface ResultsRow {
  label: string;
  preset: string | null;
  reference: Record<string, number | string | null>;
  run: MatchedRun | null;
  diff: Record<string, number | null>;
}

export interface ResultsTable {
  key: string;
  title: string;
  source: string;
  columns: ResultsColumn[];
  rows: ResultsRow[];
}

/** Reference tables from the database, seeded from core's reference data the first time. */
export async function referenceTables(store: RunStore): Promise<ReferenceTable[]> {
  const stored = await store.listReferenceTables();
  if (stored.length > 0) return stored;
  const fromCore = referenceTablesFromCore();
  for (const table of fromCore) await store.upsertReferenceTable(table);
  return fromCore;
}

async function bestRun(store: RunStore, preset: string, columns: ResultsColumn[]): Promise<MatchedRun | null> {
  const page = await store.listRuns({ page: 1, pageSize: 1, filter: { preset, status: ['done'] }, sort: { field: 'map50', dir: 'desc' } });
  const summary = page.rows[0];
  if (!summary?.result) return null;
  const run = await store.getRun(summary.id);
  const facts = configSummary(run?.config);
  const values: Record<string, number | null> = {};
  for (const c of columns) values[c.key] = c.metric ? metricValue(summary.result, c.metric) : null;
  return { id: summary.id, name: summary.name, data: facts.data, img: summary.result.img ?? facts.img, epochs: facts.epochs, values };
}

export async function buildResultsTables(store: RunStore): Promise<ResultsTable[]> {
  const tables = await referenceTables(store);
  const best = new Map<string, Promise<MatchedRun | null>>();
  return Promise.all(
    tables.map(async (table) => {
      const columns = table.columns.map((key) => ({ key, metric: metricOfColumn(key) }));
      const rows = await Promise.all(
        table.rows.map(async (row): Promise<ResultsRow> => {
          let run: MatchedRun | null = null;
          if (row.preset) {
            const cacheKey = `${row.preset}|${table.columns.join(',')}`;
            if (!best.has(cacheKey)) best.set(cacheKey, bestRun(store, row.preset, columns));
            run = (await best.get(cacheKey)) ?? null;
          }
          const diff: Record<string, number | null> = {};
          for (const c of columns) {
            const ref = row.values[c.key];
            const ours = run?.values[c.key];
            diff[c.key] = c.metric && typeof ref === 'number' && typeof ours === 'number' ? ours - ref : null;
          }
          return { label: row.label, preset: row.preset, reference: row.values, run, diff };
        }),
      );
      return { key: table.key, title: table.title, source: table.source, columns, rows };
    }),
  );
}
