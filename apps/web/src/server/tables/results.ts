/**
 * The results tables page: every upstream table (core's reference data, with its source), each row
 * beside the best matching finished run of ours — matched by core's rule (same preset, the row's
 * overrides, fewest other deviations), ties going to the higher mAP@0.5 — with the data set, image
 * size and epochs it was run with, and the difference (ours − reference) per metric.
 */
import {
  compareReferenceRow,
  METRIC_LABELS,
  referenceSourceText,
  UPSTREAM_SOURCE,
  UPSTREAM_TABLES,
  type MetricKey,
  type ReferenceTable,
} from '@distillery/core/config';
import { finishedRunsOfPreset, type FinishedRun, type RunStore } from '@distillery/db';
import { configSummary } from '~/server/runs/config-summary.ts';

export interface ResultsColumn {
  key: string;
  label: string;
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
  overrides: string[];
  note: string | null;
  reference: Record<string, number | string | null>;
  run: MatchedRun | null;
  diff: Record<string, number | null>;
}

export interface ResultsTable {
  key: string;
  title: string;
  source: string;
  note: string | null;
  columns: ResultsColumn[];
  rows: ResultsRow[];
}

export const SOURCE_TEXT = referenceSourceText(UPSTREAM_SOURCE);

export async function buildResultsTables(store: RunStore, tables: readonly ReferenceTable[] = UPSTREAM_TABLES): Promise<ResultsTable[]> {
  const byPreset = new Map<string, Promise<FinishedRun[]>>();
  const candidates = (preset: string) => {
    if (!byPreset.has(preset)) byPreset.set(preset, finishedRunsOfPreset(store, preset, 200));
    return byPreset.get(preset)!;
  };
  return Promise.all(
    tables.map(async (table): Promise<ResultsTable> => {
      const columns: ResultsColumn[] = [
        ...(table.extraColumns ?? []).map((key) => ({ key, label: key, metric: null })),
        ...table.columns.map((key) => ({ key, label: METRIC_LABELS[key], metric: key })),
      ];
      const rows = await Promise.all(
        table.rows.map(async (row): Promise<ResultsRow> => {
          const reference: Record<string, number | string | null> = {};
          for (const c of columns) reference[c.key] = c.metric ? (row.metrics[c.metric] ?? null) : (row.extra?.[c.key] ?? null);
          const compared = compareReferenceRow(row, table.columns, row.preset ? await candidates(row.preset) : []);
          const { best } = compared;
          let run: MatchedRun | null = null;
          if (best) {
            const facts = configSummary(best.config);
            const values: Record<string, number | null> = {};
            for (const c of columns) values[c.key] = c.metric ? (compared.values[c.metric] ?? null) : null;
            run = { id: best.id, name: best.name, data: facts.data, img: best.result.img ?? facts.img, epochs: facts.epochs, values };
          }
          const diff: Record<string, number | null> = {};
          for (const c of columns) diff[c.key] = c.metric ? (compared.diff[c.metric] ?? null) : null;
          return { label: row.label, preset: row.preset ?? null, overrides: row.overrides ?? [], note: row.note ?? null, reference, run, diff };
        }),
      );
      return { key: table.id, title: table.title, source: SOURCE_TEXT, note: table.note ?? null, columns, rows };
    }),
  );
}
