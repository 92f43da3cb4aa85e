/**
 * The few numpy routines the reference evaluators lean on, re-implemented with numpy's exact
 * arithmetic (summation order, interpolation formula, sample points). Results then agree with the
 * Python references to the last bit in most cases instead of "to about 1e-12".
 */

/** numpy's pairwise summation for float64 (`np.add.reduce`, hence `sum`, `mean`, `trapz`). */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    let r0 = a[start], r1 = a[start + 1], r2 = a[start + 2], r3 = a[start + 3];
    let r4 = a[start + 4], r5 = a[start + 5], r6 = a[start + 6], r7 = a[start + 7];
    const whole = n - (n % 8);
    let i = 8;
    for (; i < whole; i += 8) {
      const p = start + i;
      r0 += a[p]; r1 += a[p + 1]; r2 += a[p + 2]; r3 += a[p + 3];
      r4 += a[p + 4]; r5 += a[p + 5]; r6 += a[p + 6]; r7 += a[p + 7];
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** `np.mean` of a 1-D float64 array (NaN for an empty one, as numpy). */
export function npMean(a: ArrayLike<number>): number {
  return a.length === 0 ? Number.NaN : pairwiseSum(a) / a.length;
}

/** `np.linspace(start, stop, num)` (endpoint=True): `start + i·step`, last value exactly `stop`. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** Last index `j` with `xp[j] <= x` (xp ascending), -1 if none: numpy's `binary_search_with_guess`. */
function upperIndex(x: number, xp: ArrayLike<number>): number {
  let lo = 0;
  let hi = xp.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x >= xp[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** `np.interp(x, xp, fp)` for one x, with numpy's formula `slope·(x − xp[j]) + fp[j]`. */
export function interp(x: number, xp: ArrayLike<number>, fp: ArrayLike<number>): number {
  const n = xp.length;
  if (x > xp[n - 1]) return fp[n - 1];
  if (x < xp[0]) return fp[0];
  const j = upperIndex(x, xp);
  if (j >= n - 1) return fp[n - 1];
  if (xp[j] === x) return fp[j];
  const slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
  let y = slope * (x - xp[j]) + fp[j];
  if (Number.isNaN(y)) {
    y = slope * (x - xp[j + 1]) + fp[j + 1];
    if (Number.isNaN(y) && fp[j] === fp[j + 1]) y = fp[j];
  }
  return y;
}

/** `np.trapz(y, x)`: `sum(diff(x) · (y[1:] + y[:-1]) / 2)` with pairwise summation. */
export function trapz(y: ArrayLike<number>, x: ArrayLike<number>): number {
  const n = y.length;
  if (n < 2) return 0;
  const terms = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) terms[i] = ((x[i + 1] - x[i]) * (y[i + 1] + y[i])) / 2.0;
  return pairwiseSum(terms);
}

/** `np.spacing(1)`, the epsilon pycocotools adds to precision's denominator. */
export const SPACING_1 = 2.220446049250313e-16;

/**
 * A stable argsort by descending key (ties keep index order). numpy's default quicksort is not
 * stable, but with distinct keys (the reference cases) every sort gives the same order; pycocotools
 * asks for a stable mergesort, which this is.
 */
export function argsortDescending(keys: ArrayLike<number>, n = keys.length): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => keys[b] - keys[a] || a - b);
  return idx;
}
