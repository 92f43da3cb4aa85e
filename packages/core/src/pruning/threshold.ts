/**
 * The pruning threshold of upstream `pruning.py`: all |γ| of the prunable BN layers (the sparsity
 * loss's selection), sorted ascending; a ratio P picks `sorted[min(max(int(P·len), 0), len − 1)]`,
 * a fixed threshold is taken as is.
 */
import type { PruneSpec } from '../config/run-config.ts';
import { PruneError } from './errors.ts';

/** Rejects a spec no pruning can follow: a ratio outside (0, 1), a threshold that is not positive. */
export function validatePruneSpec(spec: PruneSpec, source = 'prune'): void {
  if (spec.mode === 'ratio') {
    if (!Number.isFinite(spec.ratio) || spec.ratio <= 0 || spec.ratio >= 1) {
      throw new PruneError(`${source}: ratio must be between 0 and 1 (exclusive), got ${spec.ratio}`);
    }
  } else if (spec.mode === 'threshold') {
    if (!Number.isFinite(spec.threshold) || spec.threshold <= 0) {
      throw new PruneError(`${source}: threshold must be a positive number, got ${spec.threshold}`);
    }
  } else {
    throw new PruneError(`${source}: mode must be 'ratio' or 'threshold', got ${JSON.stringify((spec as { mode?: unknown }).mode)}`);
  }
}

/**
 * @param absGammas |γ| of every prunable channel (float32 values)
 * @returns the threshold: for a ratio one of the |γ| (a float32 value), else the given number. Compare
 *   with `Math.fround(threshold)`, as pruning.py's numpy compares float32 |γ| against a float32 cast.
 */
export function pruneThreshold(absGammas: ArrayLike<number>, spec: PruneSpec, source = 'prune'): number {
  validatePruneSpec(spec, source);
  const n = absGammas.length;
  if (n === 0) throw new PruneError(`${source}: the model has no prunable batch-norm layer`);
  const sorted = Float32Array.from(absGammas).sort();
  if (spec.mode === 'ratio') {
    const pos = Math.min(Math.max(Math.trunc(spec.ratio * n), 0), n - 1);
    return sorted[pos];
  }
  const t = Math.fround(spec.threshold);
  const max = sorted[n - 1];
  if (!(max >= t)) {
    throw new PruneError(
      `${source}: threshold ${spec.threshold} would remove every channel (the largest |γ| of the ${n} prunable channels is ${max}); use a threshold below it`,
    );
  }
  return spec.threshold;
}
