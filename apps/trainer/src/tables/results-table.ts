/**
 * A reference table of the upstream README (core's data) beside our runs: each row is matched to the
 * best finished run by core's rule (`bestMatchingRun`: same preset, the row's overrides, fewest other
 * deviations; ties to the higher mAP@0.5, as the dashboard does), shown with the data set, image size
 * and epochs that run used, and the difference ours − reference per metric.
 */
import {
  compareReferenceRow,
  METRIC_LABELS,
  metricDigits,
  referenceSourceText,
  UPSTREAM_SOURCE,
  UPSTREAM_TABLES,
  type MetricKey,
  type ReferenceTable,
} from '@distillery/core';
import { finishedRunsOfPreset, type FinishedRun, type ReferenceTable as StoredTable, type RunStore } from '@distillery/db';

export const SOURCE_TEXT = referenceSourceText(UPSTREAM_SOURCE);

export interface MatchedRun {
  id: string;
  name: string;
  data: string;
  img: number;
  epochs: number | null;
  overrides: string[];
  values: Partial<Record<MetricKey, number | null>>;
}

export interface ResultsRow {
  label: string;
  preset: string | null;
  overrides: string[];
  reference: Partial<Record<MetricKey, number>>;
  extra: Record<string, string | number>;
  run: MatchedRun | null;
  diff: Partial<Record<MetricKey, number | null>>;
}

export interface ResultsTable {
  key: string;
  title: string;
  source: string;
  note: string | null;
  columns: MetricKey[];
  extraColumns: string[];
  rows: ResultsRow[];
}

export function tableIds(): string[] {
  return UPSTREAM_TABLES.map((t) => t.id);
}

export function findTable(id: string): ReferenceTable | undefined {
  return UPSTREAM_TABLES.find((t) => t.id === id);
}

/** Copies core's tables into the database (the dashboard and other tools read them there). */
export async function seedReferenceTables(store: RunStore): Promise<void> {
  for (const t of UPSTREAM_TABLES) {
    const stored: StoredTable = {
      key: t.id,
      title: t.title,
      source: SOURCE_TEXT,
      columns: [...(t.extraColumns ?? []), ...t.columns],
      rows: t.rows.map((r) => ({ label: r.label, preset: r.preset ?? null, values: { ...(r.extra ?? {}), ...r.metrics } })),
    };
    await store.upsertReferenceTable(stored);
  }
}

export async function buildResultsTable(store: RunStore, table: ReferenceTable): Promise<ResultsTable> {
  const cache = new Map<string, Promise<FinishedRun[]>>();
  const candidates = (preset: string) => {
    if (!cache.has(preset)) cache.set(preset, finishedRunsOfPreset(store, preset, 500));
    return cache.get(preset)!;
  };
  const rows: ResultsRow[] = [];
  for (const row of table.rows) {
    const { best, values, diff } = compareReferenceRow(row, table.columns, row.preset ? await candidates(row.preset) : []);
    let run: MatchedRun | null = null;
    if (best) {
      const epochs = best.config['epochs'];
      run = {
        id: best.id,
        name: best.name,
        data: typeof best.config['data'] === 'string' ? best.config['data'] : '?',
        img: best.result.img,
        epochs: typeof epochs === 'number' ? epochs : null,
        overrides: best.overrides,
        values,
      };
    }
    rows.push({ label: row.label, preset: row.preset ?? null, overrides: row.overrides ?? [], reference: { ...row.metrics }, extra: { ...(row.extra ?? {}) }, run, diff });
  }
  return { key: table.id, title: table.title, source: SOURCE_TEXT, note: table.note ?? null, columns: [...table.columns], extraColumns: [...(table.extraColumns ?? [])], rows };
}

const num = (v: number | null | undefined, d: number, signed = false) =>
  v === null || v === undefined || !Number.isFinite(v) ? '' : `${signed && v > 0 ? '+' : ''}${v.toFixed(d)}`;

/** Header and cells of the printed table: reference | ours | Δ per metric, then the run and its setup. */
export function tableCells(t: ResultsTable): { head: string[]; rows: string[][] } {
  const head = [
    'model',
    ...t.extraColumns,
    ...t.columns.flatMap((c) => [`${METRIC_LABELS[c]} ref`, `${METRIC_LABELS[c]} ours`, 'Δ']),
    'run',
    'data / img / epochs',
  ];
  const rows = t.rows.map((r) => [
    r.label,
    ...t.extraColumns.map((k) => String(r.extra[k] ?? '')),
    ...t.columns.flatMap((c) => [num(r.reference[c], metricDigits(c)), num(r.run?.values[c], metricDigits(c)), num(r.diff[c], metricDigits(c), true)]),
    r.run ? r.run.id : r.preset ? `(no matching run of ${r.preset})` : '(other project)',
    r.run ? `${r.run.data} / ${r.run.img} / ${r.run.epochs ?? '?'}` : '',
  ]);
  return { head, rows };
}

export function toMarkdown(t: ResultsTable): string {
  const { head, rows } = tableCells(t);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `### ${t.title}`,
    '',
    `| ${head.map(esc).join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
    '',
    `Source: ${t.source}`,
  ];
  if (t.note) lines.push('', t.note);
  return `${lines.join('\n')}\n`;
}
