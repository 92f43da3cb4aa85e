/**
 * A reference row beside our runs: the row's metric columns, our value for each (in the unit the
 * upstream tables use) from the best matching run, and the difference ours − reference. Pure data:
 * the apps fetch the candidate runs (from their store) and lay the result out; the arithmetic and the
 * column conventions live here so the CLI table and the dashboard cannot drift apart.
 */
import { bestMatchingRun, type RunIdentity } from './match.ts';
import type { ReferenceMetrics, ReferenceRow, ReferenceSource } from './types.ts';

export type MetricKey = keyof ReferenceMetrics;

export const METRIC_LABELS: Record<MetricKey, string> = {
  precision: 'P',
  recall: 'R',
  map50: 'mAP@0.5',
  paramsM: 'Params (M)',
  gmacs: 'FLOPs (G)',
  cocoMap: 'COCO mAP',
};

/** What a finished run measured (the fields of the store's final result that the tables read). */
export interface MeasuredMetrics {
  precision: number;
  recall: number;
  map50: number;
  params: number;
  /** null when they could not be counted. */
  gmacs: number | null;
}

/** Our value for a metric, in the unit the reference tables use; null where we do not measure it. */
export function metricValue(result: MeasuredMetrics, metric: MetricKey): number | null {
  switch (metric) {
    case 'paramsM':
      return result.params / 1e6;
    case 'gmacs':
      return result.gmacs;
    case 'cocoMap':
      return null; // COCO mAP on COCO: not something a VOC run measures.
    default:
      return result[metric];
  }
}

/** Decimal places the tables print a metric with (null: a non-metric column). */
export function metricDigits(metric: MetricKey | null): number {
  return metric === 'paramsM' || metric === 'gmacs' || metric === 'cocoMap' ? 2 : 3;
}

/** One line naming where the reference numbers come from and how they were measured. */
export function referenceSourceText(source: ReferenceSource): string {
  return `${source.repository} ${source.file} @ ${source.commit} (${source.url}); ${source.setup}`;
}

/** A run that can be compared with a reference row. */
export interface ComparableRun extends RunIdentity {
  result: MeasuredMetrics;
}

export interface RowComparison<R extends ComparableRun> {
  /** The best matching run (core's `bestMatchingRun`: first of equals), or undefined. */
  best: R | undefined;
  /** Our value per metric column; empty without a matching run. */
  values: Partial<Record<MetricKey, number | null>>;
  /** ours − reference per metric column; null where either side is missing. */
  diff: Partial<Record<MetricKey, number | null>>;
}

/**
 * Compares a reference row with candidate runs over the given metric columns. Pass the candidates in
 * the order ties should be broken (best mAP@0.5 first: the first of equally matching runs wins).
 */
export function compareReferenceRow<R extends ComparableRun>(
  row: ReferenceRow,
  columns: readonly MetricKey[],
  candidates: readonly R[],
): RowComparison<R> {
  const best = row.preset ? bestMatchingRun(row, candidates) : undefined;
  const values: RowComparison<R>['values'] = {};
  if (best) for (const c of columns) values[c] = metricValue(best.result, c);
  const diff: RowComparison<R>['diff'] = {};
  for (const c of columns) {
    const ref = row.metrics[c];
    const ours = values[c];
    diff[c] = typeof ref === 'number' && typeof ours === 'number' ? ours - ref : null;
  }
  return { best, values, diff };
}
