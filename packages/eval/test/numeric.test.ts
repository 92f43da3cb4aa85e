/** The numpy re-implementations against values numpy prints, and the radix argsort against a comparator sort. */
import { describe, expect, it } from 'vitest';
import { formatG3, interp, linspace, pairwiseSum, trapz } from '../src/index.ts';
import { argsortDescendingStable } from '../src/numeric/radix-sort.ts';

describe('numpy semantics', () => {
  it('linspace is start + i·step with an exact endpoint (np.linspace(.5, .95, 10)[8] = 0.8999999999999999)', () => {
    const t = linspace(0.5, 0.95, 10);
    expect(t[8]).toBe(0.8999999999999999);
    expect(t[9]).toBe(0.95);
    expect(linspace(0, 1, 101)[29]).toBe(0.29);
  });
  it('interp: left/right clamping, duplicates take the last matching point', () => {
    expect(interp(-1, [0, 1], [5, 7])).toBe(5);
    expect(interp(2, [0, 1], [5, 7])).toBe(7);
    expect(interp(0.25, [0, 1], [0, 4])).toBe(1);
    expect(interp(1, [0, 1, 1], [0, 1, 0])).toBe(0); // np.interp(1, [0,1,1], [0,1,0]) == 0.0
    expect(interp(0.5, [0, 0.5, 0.5, 1], [0, 1, 2, 3])).toBe(2);
  });
  it('pairwise summation differs from a running sum exactly as numpy does', () => {
    const a = Array.from({ length: 10 }, () => 0.1);
    // numpy: np.add.reduce([0.1]*10) == 1.0 (pairwise), while a running sum gives 0.9999999999999999
    expect(pairwiseSum(a)).toBe(1);
    expect(a.reduce((s, v) => s + v, 0)).toBe(0.9999999999999999);
    expect(trapz([0, 1, 1], [0, 0.5, 1])).toBe(0.75);
  });
  it("formatG3 is C's %.3g", () => {
    expect([0.3165302599648179, 0.5770917678812416, 189, 50, 0.0001234, 1234.5, 1, 0].map(formatG3)).toEqual(['0.317', '0.577', '189', '50', '0.000123', '1.23e+03', '1', '0']);
  });
});

describe('stable radix argsort', () => {
  it('matches a stable comparator sort, with ties, negatives and ±0', () => {
    let seed = 7;
    const r = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (const n of [0, 1, 3, 257, 5000]) {
      const keys = Float64Array.from({ length: n }, () => {
        const v = r();
        return v < 0.1 ? 0.5 : v < 0.15 ? -v * 3 : v < 0.2 ? 0 : v < 0.22 ? -0 : v * 1e3;
      });
      const ref = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[b] - keys[a] || a - b);
      expect(Array.from(argsortDescendingStable(keys))).toEqual(ref);
    }
  });
});
