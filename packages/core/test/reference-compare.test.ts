import { describe, expect, it } from 'vitest';
import { compareReferenceRow, metricDigits, metricValue, referenceSourceText, type ComparableRun } from '../src/reference/compare.ts';
import type { ReferenceRow } from '../src/reference/types.ts';

const result = { precision: 0.5, recall: 0.25, map50: 0.75, params: 3_500_000, gmacs: null };
const run = (id: string, overrides: string[], map50: number): ComparableRun & { id: string } => ({
  id,
  preset: 'mobile-baseline',
  overrides,
  result: { ...result, map50 },
});
const row: ReferenceRow = { label: 'mobile 320', preset: 'mobile-baseline', overrides: ['img=320'], metrics: { map50: 0.7, paramsM: 3, gmacs: 1.5 } };

describe('reference row vs our runs', () => {
  it('takes our values in the reference units and the difference ours − reference', () => {
    const cmp = compareReferenceRow(row, ['map50', 'paramsM', 'gmacs', 'cocoMap'], [run('other', [], 0.9), run('match', ['img=320'], 0.75)]);
    expect(cmp.best?.id).toBe('match');
    expect(cmp.values).toEqual({ map50: 0.75, paramsM: 3.5, gmacs: null, cocoMap: null });
    expect(cmp.diff.map50).toBeCloseTo(0.05, 12);
    expect(cmp.diff.paramsM).toBeCloseTo(0.5, 12);
    // no count of ours (gmacs null) or no reference (cocoMap): no difference
    expect(cmp.diff.gmacs).toBeNull();
    expect(cmp.diff.cocoMap).toBeNull();
  });

  it('gives no values and null differences without a matching run or preset', () => {
    expect(compareReferenceRow(row, ['map50'], [run('a', [], 0.9)])).toEqual({ best: undefined, values: {}, diff: { map50: null } });
    expect(compareReferenceRow({ ...row, preset: undefined }, ['map50'], [run('a', ['img=320'], 0.9)]).best).toBeUndefined();
  });

  it('prints sizes with 2 decimals and ratios with 3, and names its source', () => {
    expect([metricDigits('paramsM'), metricDigits('gmacs'), metricDigits('map50'), metricDigits(null)]).toEqual([2, 2, 3, 3]);
    expect(metricValue(result, 'recall')).toBe(0.25);
    expect(referenceSourceText({ repository: 'r', file: 'f', commit: 'c', url: 'u', setup: 's' })).toBe('r f @ c (u); s');
  });
});
