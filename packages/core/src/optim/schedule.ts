/**
 * Learning-rate, momentum and accumulation schedules of upstream train.py, as pure functions of the
 * iteration so that a resumed run recomputes exactly what an uninterrupted one had.
 */

/** Upstream's nominal batch: gradients accumulate until about this many images. */
export const NOMINAL_BATCH = 64;

/** numpy.interp on two points (clamped at both ends, exact at the right end). */
export function interp(x: number, [x0, x1]: readonly [number, number], [y0, y1]: readonly [number, number]): number {
  if (x <= x0) return y0;
  if (x >= x1) return y1;
  return ((y1 - y0) / (x1 - x0)) * (x - x0) + y0;
}

/** Python 3 / numpy rounding: half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** `accumulate = max(round(nbs / batch), 1)`. */
export function accumulateSteps(batch: number, nominalBatch = NOMINAL_BATCH): number {
  return Math.max(roundHalfEven(nominalBatch / batch), 1);
}

/** `weight_decay *= batch * accumulate / nbs` (and the same for the sparsity weight `sl`). */
export function nominalBatchScale(batch: number, nominalBatch = NOMINAL_BATCH): number {
  return (batch * accumulateSteps(batch, nominalBatch)) / nominalBatch;
}

/** The cosine factor `lf(epoch) = ((1 + cos(pi * epoch / epochs)) / 2) * (1 - lrf) + lrf`. */
export function cosineLrFactor(epoch: number, epochs: number, lrf: number): number {
  return ((1 + Math.cos((epoch * Math.PI) / epochs)) / 2) * (1 - lrf) + lrf;
}

/** Burn-in length: `max(3 epochs, 1000 iterations)` (upstream); both numbers are configurable. */
export function warmupIterations(batchesPerEpoch: number, minIterations = 1000, epochs = 3): number {
  return Math.max(Math.round(epochs * batchesPerEpoch), minIterations);
}

export interface ScheduleConfig {
  lr0: number;
  /** Target momentum (SGD); also the end of the momentum warm-up. */
  momentum: number;
  lrf: number;
  epochs: number;
  batch: number;
  nominalBatch: number;
  /** Number of batches per epoch (`nb`). */
  batchesPerEpoch: number;
  /** Minimum burn-in iterations (upstream 1000; short demo runs lower it). */
  minWarmupIterations?: number;
  /** Burn-in epochs (upstream 3). */
  warmupEpochs?: number;
}

export interface IterationSettings {
  /** Learning rate of each group, in group order [pg0, pg1, pg2]. */
  lrs: [number, number, number];
  momentum: number;
  /** Step when `ni % accumulate == 0`. */
  accumulate: number;
  /** Whether this iteration is still in the burn-in (upstream evaluates with `fast` NMS then). */
  warmup: boolean;
}

/**
 * The settings in force at global iteration `ni` of epoch `epoch`. Outside the burn-in the LambdaLR
 * value `lr0 * lf(epoch)` holds for every group; inside, upstream interpolates from 0 (bias: 0.1) and
 * momentum from 0.9, and ramps the accumulation from 1 to nbs/batch.
 */
export function iterationSettings(ni: number, epoch: number, c: ScheduleConfig): IterationSettings {
  const target = c.lr0 * cosineLrFactor(epoch, c.epochs, c.lrf);
  const nw = warmupIterations(c.batchesPerEpoch, c.minWarmupIterations, c.warmupEpochs);
  if (ni > nw) {
    return { lrs: [target, target, target], momentum: c.momentum, accumulate: accumulateSteps(c.batch, c.nominalBatch), warmup: false };
  }
  const xi = [0, nw] as const;
  return {
    lrs: [interp(ni, xi, [0, target]), interp(ni, xi, [0, target]), interp(ni, xi, [0.1, target])],
    momentum: interp(ni, xi, [0.9, c.momentum]),
    accumulate: Math.max(1, roundHalfEven(interp(ni, xi, [1, c.nominalBatch / c.batch]))),
    warmup: ni < nw,
  };
}
