/** Reference metric columns (core's `ReferenceMetrics` keys): their printed label, our value, digits. */
import type { ReferenceMetrics } from '@distillery/core/config';
import type { FinalResult } from '@distillery/db';

export type MetricKey = keyof ReferenceMetrics;

export const METRIC_LABELS: Record<MetricKey, string> = {
  precision: 'P',
  recall: 'R',
  map50: 'mAP@0.5',
  paramsM: 'Params (M)',
  gmacs: 'FLOPs (G)',
  cocoMap: 'COCO mAP',
};

/** Our value for a metric, in the unit the reference tables use; null where we do not measure it. */
export function metricValue(result: FinalResult, metric: MetricKey): number | null {
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

/** Decimal places the tables print a metric with. */
export function metricDigits(metric: MetricKey | null): number {
  return metric === 'paramsM' || metric === 'gmacs' || metric === 'cocoMap' ? 2 : 3;
}
