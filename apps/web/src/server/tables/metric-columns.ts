/**
 * Which of our metrics a reference column reports. The upstream tables label their columns
 * "P", "R", "mAP", "Params (M)", "FLOPs (G)"; the others (extra epochs, sl, prune) are settings,
 * shown as reference only.
 */
import type { FinalResult } from '@distillery/db';

export type MetricKey = 'precision' | 'recall' | 'map50' | 'map5095' | 'paramsM' | 'gmacs';

export function metricOfColumn(column: string): MetricKey | null {
  const c = column.trim().toLowerCase();
  if (c === 'p' || c === 'precision') return 'precision';
  if (c === 'r' || c === 'recall') return 'recall';
  if (/map.*(95|0\.5:0\.95)/.test(c)) return 'map5095';
  if (/^(voc )?map/.test(c)) return 'map50';
  if (c.startsWith('params')) return 'paramsM';
  if (c.startsWith('flops') || c.startsWith('gmacs') || c.startsWith('macs')) return 'gmacs';
  return null;
}

/** Our value for a metric, in the unit the reference tables use (params in millions). */
export function metricValue(result: FinalResult, metric: MetricKey): number | null {
  switch (metric) {
    case 'paramsM':
      return result.params / 1e6;
    default:
      return result[metric];
  }
}

/** Decimal places the tables print a metric with. */
export function metricDigits(metric: MetricKey | null): number {
  return metric === 'paramsM' || metric === 'gmacs' ? 2 : 3;
}
