/**
 * A float64 reference forward of the YOLO blocks (plain loops over NHWC arrays, exact to ~1e-16), written
 * from upstream's `models/common.py` definitions rather than from the tfjs layers: the yardstick for how
 * much float32 rounding a forward adds (tfjs's here, PyTorch's in the golden data). Slow by design: for
 * small inputs.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module.ts';
import { Sequential } from '../nn/sequential.ts';
import type { BatchNorm2d } from '../layers/batch-norm.ts';
import { Bottleneck } from '../layers/bottleneck.ts';
import { BottleneckCSP } from '../layers/bottleneck-csp.ts';
import { Conv } from '../layers/conv.ts';
import { Conv2d } from '../layers/conv2d.ts';
import { ConvBNReLU } from '../layers/conv-bn-relu.ts';
import { Focus } from '../layers/focus.ts';
import { InvertedResidual } from '../layers/inverted-residual.ts';
import { SPP } from '../layers/spp.ts';
import { Upsample } from '../layers/upsample.ts';

/** NHWC activations in float64. */
export interface T64 {
  s: [number, number, number, number];
  d: Float64Array;
}

export const f64 = (t: tf.Tensor): Float64Array => Float64Array.from(t.dataSync() as Float32Array);
export const fromTf = (t: tf.Tensor4D): T64 => ({ s: [...t.shape] as T64['s'], d: f64(t) });

/** Conv2d with PyTorch's symmetric zero padding; plain or depthwise. */
export function conv(x: T64, c: Conv2d): T64 {
  const [n, h, w, ci] = x.s;
  const k = c.k, st = c.stride, p = c.padding;
  const oh = Math.floor((h + 2 * p - k) / st) + 1, ow = Math.floor((w + 2 * p - k) / st) + 1;
  const co = c.cout;
  const W = f64(c.weight);
  const B = c.bias ? f64(c.bias) : undefined;
  const out = new Float64Array(n * oh * ow * co);
  const acc = new Float64Array(co);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        acc.fill(0);
        for (let ky = 0; ky < k; ky++) {
          const iy = oy * st - p + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < k; kx++) {
            const ix = ox * st - p + kx;
            if (ix < 0 || ix >= w) continue;
            const xo = ((b * h + iy) * w + ix) * ci;
            if (c.depthwise) {
              const wo = (ky * k + kx) * ci;
              for (let q = 0; q < ci; q++) acc[q] += x.d[xo + q] * W[wo + q];
            } else {
              for (let q = 0; q < ci; q++) {
                const xv = x.d[xo + q];
                const wo = ((ky * k + kx) * ci + q) * co;
                for (let o = 0; o < co; o++) acc[o] += xv * W[wo + o];
              }
            }
          }
        }
        const oo = ((b * oh + oy) * ow + ox) * co;
        for (let o = 0; o < co; o++) out[oo + o] = acc[o] + (B ? B[o] : 0);
      }
  return { s: [n, oh, ow, co], d: out };
}

/** BatchNorm in exact arithmetic: running statistics (eval) or the batch's mean and biased variance (training). */
export function bn(x: T64, m: BatchNorm2d, training: boolean): T64 {
  const c = x.s[3];
  const rows = x.d.length / c;
  let mean: Float64Array, vr: Float64Array;
  if (training) {
    mean = new Float64Array(c);
    vr = new Float64Array(c);
    for (let r = 0; r < rows; r++) for (let q = 0; q < c; q++) mean[q] += x.d[r * c + q];
    for (let q = 0; q < c; q++) mean[q] /= rows;
    for (let r = 0; r < rows; r++) for (let q = 0; q < c; q++) vr[q] += (x.d[r * c + q] - mean[q]) ** 2;
    for (let q = 0; q < c; q++) vr[q] /= rows;
  } else {
    mean = f64(m.runningMean);
    vr = f64(m.runningVar);
  }
  const g = f64(m.weight), be = f64(m.bias);
  const out = new Float64Array(x.d.length);
  for (let r = 0; r < rows; r++)
    for (let q = 0; q < c; q++) out[r * c + q] = ((x.d[r * c + q] - mean[q]) / Math.sqrt(vr[q] + m.eps)) * g[q] + be[q];
  return { s: x.s, d: out };
}

const map = (x: T64, f: (v: number) => number): T64 => ({ s: x.s, d: x.d.map(f) });
export const leaky = (x: T64) => map(x, (v) => (v > 0 ? v : 0.1 * v));
export const relu6 = (x: T64) => map(x, (v) => Math.min(Math.max(v, 0), 6));
export const add = (a: T64, b: T64): T64 => ({ s: a.s, d: a.d.map((v, i) => v + b.d[i]) });

export function concat(xs: T64[]): T64 {
  const [n, h, w] = xs[0].s;
  const ct = xs.reduce((a, x) => a + x.s[3], 0);
  const out = new Float64Array(n * h * w * ct);
  const rows = n * h * w;
  for (let r = 0; r < rows; r++) {
    let o = 0;
    for (const x of xs) {
      const c = x.s[3];
      for (let q = 0; q < c; q++) out[r * ct + o + q] = x.d[r * c + q];
      o += c;
    }
  }
  return { s: [n, h, w, ct], d: out };
}

export function maxpool(x: T64, k: number): T64 {
  const [n, h, w, c] = x.s;
  const p = Math.floor(k / 2);
  const out = new Float64Array(x.d.length).fill(-Infinity);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++) {
        const oo = ((b * h + y) * w + xx) * c;
        for (let ky = y - p; ky <= y + p; ky++) {
          if (ky < 0 || ky >= h) continue;
          for (let kx = xx - p; kx <= xx + p; kx++) {
            if (kx < 0 || kx >= w) continue;
            const io = ((b * h + ky) * w + kx) * c;
            for (let q = 0; q < c; q++) if (x.d[io + q] > out[oo + q]) out[oo + q] = x.d[io + q];
          }
        }
      }
  return { s: x.s, d: out };
}

export function upsample(x: T64, s: number): T64 {
  const [n, h, w, c] = x.s;
  const out = new Float64Array(n * h * s * w * s * c);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h * s; y++)
      for (let xx = 0; xx < w * s; xx++) {
        const io = ((b * h + Math.floor(y / s)) * w + Math.floor(xx / s)) * c;
        const oo = ((b * h * s + y) * w * s + xx) * c;
        for (let q = 0; q < c; q++) out[oo + q] = x.d[io + q];
      }
  return { s: [n, h * s, w * s, c], d: out };
}

export function focusSlice(x: T64): T64 {
  // torch.cat([x[..., ::2, ::2], x[..., 1::2, ::2], x[..., ::2, 1::2], x[..., 1::2, 1::2]], 1) (NCHW: dims H, W)
  const [n, h, w, c] = x.s;
  const offs = [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ];
  const oh = h / 2, ow = w / 2;
  const out = new Float64Array(n * oh * ow * 4 * c);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++)
        offs.forEach(([ry, rx], g) => {
          const io = ((b * h + 2 * y + ry) * w + 2 * xx + rx) * c;
          const oo = ((b * oh + y) * ow + xx) * 4 * c + g * c;
          for (let q = 0; q < c; q++) out[oo + q] = x.d[io + q];
        });
  return { s: [n, oh, ow, 4 * c], d: out };
}

/** Float64 forward of one layer module, written from upstream's definitions (not from the tfjs code). */
export function forward64(m: Module, x: T64, training: boolean): T64 {
  if (m instanceof Conv) return leakyIf(bn(conv(x, m.conv), m.bn, training), m.act);
  if (m instanceof Conv2d) return conv(x, m);
  if (m instanceof Focus) return forward64(m.conv, focusSlice(x), training);
  if (m instanceof Bottleneck) {
    const y = forward64(m.cv2, forward64(m.cv1, x, training), training);
    return m.add ? add(x, y) : y;
  }
  if (m instanceof Sequential) {
    let y = x;
    for (const [, c] of m.children()) y = forward64(c, y, training);
    return y;
  }
  if (m instanceof BottleneckCSP) {
    const y1 = conv(forward64(m.m, forward64(m.cv1, x, training), training), m.cv3);
    const y2 = conv(x, m.cv2);
    return forward64(m.cv4, leaky(bn(concat([y1, y2]), m.bn, training)), training);
  }
  if (m instanceof SPP) {
    const h = forward64(m.cv1, x, training);
    return forward64(m.cv2, concat([h, ...m.kernels.map((k) => maxpool(h, k))]), training);
  }
  if (m instanceof ConvBNReLU) return relu6(bn(conv(x, m.conv), m.bn, training));
  if (m instanceof InvertedResidual) {
    const body = m.child('conv')!;
    const ch = body.children().map(([, c]) => c);
    let y = x;
    for (const c of ch.slice(0, ch.length - 2)) y = forward64(c, y, training);
    y = bn(conv(y, ch[ch.length - 2] as Conv2d), ch[ch.length - 1] as BatchNorm2d, training);
    return m.useResidual ? add(x, y) : y;
  }
  if (m instanceof Upsample) return upsample(x, m.scale);
  throw new Error(`forward64: no rule for ${m.constructor.name}`);
}

function leakyIf(x: T64, act: boolean): T64 {
  return act ? leaky(x) : x;
}
