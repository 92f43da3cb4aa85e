// The arithmetic of a training-mode batch norm + activation, on plain Float32Arrays laid out
// NHWC ([P pixels, C channels]), shared by the wasm and cpu kernels. Matches the composition
// it replaces in layers/batch-norm.ts + layers/activation.ts:
//   mean, var = batch statistics over N·H·W (biased variance, summed in float64)
//   alpha = gamma / sqrt(var + eps), shift = beta - mean·alpha, z = x·alpha + shift, y = act(z)
// and its exact gradient (through the batch statistics):
//   g = dy·act'(z), x̂ = (x - mean)/sqrt(var + eps)
//   dbeta = Σ g, dgamma = Σ g·x̂, dx = alpha·(g - dbeta/P - x̂·dgamma/P)
// with tfjs's derivative conventions: relu6' = 1 on (0, 6], leakyrelu' = 1 on (0, ∞) else alpha.

import type { FusedActivation } from '../fused-activation.ts';

export type BatchNormActivation = FusedActivation;

export interface BatchNormActAttrs {
  eps: number;
  activation: BatchNormActivation;
  /** LeakyReLU negative slope. */
  leakyAlpha: number;
}

/**
 * mean and biased variance per channel from float64 sums of d = x - center (center 0 unless
 * given): mean = center + Σd / P, variance = Σd² / P - (Σd / P)².
 */
export function statisticsFromSums(
  sum: Float64Array,
  sumSq: Float64Array,
  pixels: number,
  mean: Float32Array,
  variance: Float32Array,
  center?: Float32Array,
): void {
  for (let k = 0; k < sum.length; k++) {
    const m = sum[k] / pixels;
    mean[k] = (center?.[k] ?? 0) + m;
    variance[k] = Math.max(0, sumSq[k] / pixels - m * m);
  }
}

/** Per-channel alpha = gamma/sqrt(var+eps) and shift = beta - mean·alpha, in float32 like the tf ops. */
export function scaleAndShift(gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, eps: number): [Float32Array, Float32Array] {
  const c = gamma.length;
  const alpha = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    alpha[k] = gamma[k] * Math.fround(1 / Math.fround(Math.sqrt(Math.fround(variance[k] + eps))));
    shift[k] = beta[k] - Math.fround(mean[k] * alpha[k]);
  }
  return [alpha, shift];
}

/** Forward: fills y, mean and variance. */
export function batchNormActForward(
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  attrs: BatchNormActAttrs,
  y: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
): void {
  const c = gamma.length;
  const pixels = x.length / c;
  // One pass: Σx and Σx² in float64 (exact enough for float32 data: var = E[x²] - mean² loses
  // only what float64 cannot hold, i.e. nothing unless |mean| / std exceeds ~1e6).
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  for (let o = 0; o < x.length; o += c) {
    for (let k = 0; k < c; k++) {
      const v = x[o + k];
      sum[k] += v;
      sumSq[k] += v * v;
    }
  }
  statisticsFromSums(sum, sumSq, pixels, mean, variance);
  const [alpha, shift] = scaleAndShift(gamma, beta, mean, variance, attrs.eps);
  const n = x.length;
  // Branch-free activations (comparisons turned into 0/1 numbers): with data of both signs a
  // branch per element mispredicts half the time, which measured 4x slower.
  if (attrs.activation === 'relu6') {
    for (let o = 0; o < n; o += c) {
      for (let k = 0; k < c; k++) {
        const z = Math.fround(x[o + k] * alpha[k]) + shift[k];
        y[o + k] = z * (+(z > 0) * +(z <= 6)) + 6 * +(z > 6);
      }
    }
  } else if (attrs.activation === 'leakyrelu') {
    const slope = attrs.leakyAlpha;
    for (let o = 0; o < n; o += c) {
      for (let k = 0; k < c; k++) {
        const z = Math.fround(x[o + k] * alpha[k]) + shift[k];
        y[o + k] = z * (slope + (1 - slope) * +(z > 0));
      }
    }
  } else {
    for (let o = 0; o < n; o += c) for (let k = 0; k < c; k++) y[o + k] = Math.fround(x[o + k] * alpha[k]) + shift[k];
  }
}

/** Backward: fills dx, dgamma and dbeta from dy and the forward's inputs and statistics. */
export function batchNormActBackward(
  dy: Float32Array,
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  attrs: BatchNormActAttrs,
  dx: Float32Array,
  dgamma: Float32Array,
  dbeta: Float32Array,
): void {
  const c = gamma.length;
  const n = x.length;
  const pixels = n / c;
  const [alpha, shift] = scaleAndShift(gamma, beta, mean, variance, attrs.eps);
  const slope = attrs.activation === 'leakyrelu' ? attrs.leakyAlpha : 1;
  const relu6 = attrs.activation === 'relu6';
  const linear = attrs.activation === 'linear';
  // g = dy·act'(z), z recomputed exactly as the forward did; branch-free masks as in the forward.
  // Pass 1: Σ g and Σ g·x per channel (in float64).
  const sumG = new Float64Array(c);
  const sumGX = new Float64Array(c);
  for (let o = 0; o < n; o += c) {
    for (let k = 0; k < c; k++) {
      const xv = x[o + k];
      const z = Math.fround(xv * alpha[k]) + shift[k];
      const g = dy[o + k] * (linear ? 1 : relu6 ? +(z > 0) * +(z <= 6) : slope + (1 - slope) * +(z > 0));
      sumG[k] += g;
      sumGX[k] += g * xv;
    }
  }
  // Pass 2: dx = alpha·(g - mean(g) - x̂·mean(g·x̂)) = alpha·g + k2·(x - mean) + k3 per channel.
  const k2 = new Float64Array(c);
  const k3 = new Float64Array(c);
  for (let k = 0; k < c; k++) sumGX[k] -= mean[k] * sumG[k];
  backwardCoefficients(sumG, sumGX, variance, alpha, attrs.eps, pixels, dgamma, dbeta, k2, k3);
  for (let o = 0; o < n; o += c) {
    for (let k = 0; k < c; k++) {
      const xv = x[o + k];
      const z = Math.fround(xv * alpha[k]) + shift[k];
      const g = dy[o + k] * (linear ? 1 : relu6 ? +(z > 0) * +(z <= 6) : slope + (1 - slope) * +(z > 0));
      dx[o + k] = alpha[k] * g + k2[k] * (xv - mean[k]) + k3[k];
    }
  }
}

/**
 * From Σg and Σg·(x - mean) per channel: dbeta = Σg, dgamma = Σg·x̂ = invStd·Σg·(x - mean), and
 * the coefficients of dx = alpha·g + k2·(x - mean) + k3 (x - mean rather than x: no cancellation
 * between two large terms when |mean| ≫ std).
 */
export function backwardCoefficients(
  sumG: Float64Array,
  sumGXCentred: Float64Array,
  variance: Float32Array,
  alpha: Float32Array,
  eps: number,
  pixels: number,
  dgamma: Float32Array,
  dbeta: Float32Array,
  k2: Float64Array | Float32Array,
  k3: Float64Array | Float32Array,
): void {
  for (let k = 0; k < sumG.length; k++) {
    const invStd = 1 / Math.sqrt(variance[k] + eps);
    const gxhat = invStd * sumGXCentred[k];
    dbeta[k] = sumG[k];
    dgamma[k] = gxhat;
    k2[k] = -alpha[k] * invStd * (gxhat / pixels);
    k3[k] = -alpha[k] * (sumG[k] / pixels);
  }
}
