/**
 * The backfill migration (SQL) must give runs created before the facet columns existed the same
 * model / data / img / epochs / strategy as `runFacets` gives new runs (TypeScript).
 */
import fs from 'node:fs';
import { runFacets, type RunFacets } from '../src/index.ts';

export const BACKFILL_CONFIGS: Record<string, unknown>[] = [
  {},
  { model: 'mobile-yolo5s_voc', data: 'demo', img: 320, epochs: 30, strategies: [] },
  {
    model: 'yolov5s.yaml',
    data: '/data/voc.yaml',
    img: 640,
    epochs: 300,
    strategies: [
      { kind: 'distill-feature', teacher: 'run:abc', converter: 'conv' },
      { kind: 'sparsity', sl: 0.001 },
    ],
    prune: { mode: 'ratio', ratio: 0.5 },
  },
  { model: '', data: 5, img: 64.5, epochs: '3', strategies: { kind: 'sparsity' }, prune: 'no' },
  { strategies: [null, 3, 'x', { kind: '' }, { kind: 7 }, { kind: 'distill-output' }, {}], prune: { mode: 'threshold', threshold: 0.01 } },
  { strategies: [{ kind: 'distill-output', teacher: 't' }] },
];

export function backfillSql(dialect: 'sqlite' | 'pg'): string {
  return fs.readFileSync(new URL(`../drizzle/${dialect}/0003_backfill_run_facets.sql`, import.meta.url), 'utf8');
}

export function expectedFacets(): RunFacets[] {
  return BACKFILL_CONFIGS.map(runFacets);
}
