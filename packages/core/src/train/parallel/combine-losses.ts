/** Loss items of a batch computed in shares (replicas or memory-bounded chunks). */
import type { StepLosses } from '../gradient-step.ts';

/** Loss items of the whole batch: image-weighted means of the per-share items; minimised terms add up. */
export function combineShareLosses(shares: StepLosses[], sizes: number[]): StepLosses {
  const n = sizes.reduce((a, b) => a + b, 0);
  const mean = (k: 'lbox' | 'lobj' | 'lcls') => shares.reduce((s, l, i) => s + l[k] * sizes[i], 0) / n;
  const extra: Record<string, number> = {};
  for (const l of shares) for (const [k, v] of Object.entries(l.extra)) extra[k] = (extra[k] ?? 0) + v;
  return { lbox: mean('lbox'), lobj: mean('lobj'), lcls: mean('lcls'), loss: shares.reduce((s, l) => s + l.loss, 0), extra };
}

