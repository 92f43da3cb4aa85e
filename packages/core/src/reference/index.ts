// Reference results: the upstream README tables with their source, and run ↔ row matching.
export * from './types.ts';
export { UPSTREAM_SOURCE, UPSTREAM_TABLES } from './upstream-tables.ts';
export {
  bestMatchingRun,
  matchScore,
  overridesFromStrings,
  referenceRowConfig,
  referenceTable,
  rowsForRun,
  type RunIdentity,
} from './match.ts';
export {
  compareReferenceRow,
  METRIC_LABELS,
  metricDigits,
  metricValue,
  referenceSourceText,
  type ComparableRun,
  type MeasuredMetrics,
  type MetricKey,
  type RowComparison,
} from './compare.ts';
