/**
 * upstream `Detect(nc, anchors)`: holds the anchors (`anchors` [nl, na, 2] in grid units = pixels/stride,
 * `anchor_grid` [nl, 1, na, 1, 1, 2] in pixels) and turns the head convs' outputs into
 *  - raw (training layout): NHWC `[bs, ny, nx, na·no]` → `[bs, na, ny, nx, no]` (channel a·no + k = anchor a, field k);
 *  - decoded (inference): σ of every field, `xy = (2σ − 0.5 + grid)·stride`, `wh = (2σ)²·anchor_grid`,
 *    rows per level in (anchor, y, x) order, levels concatenated: `[bs, Σ na·ny·nx, no]`.
 * The arithmetic follows upstream's operation order, so decoding is float32-exact given the same σ.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/module.ts';
import { YoloDecode, type YoloDecodeAttrs } from '../engine/yolo-decode/kernel-name.ts';

interface DecodeConstants {
  grid: tf.Tensor3D;
  stride: tf.Tensor3D;
  anchorGrid: tf.Tensor3D;
}

export class Detect extends Module {
  private readonly decodeCache = new Map<string, DecodeConstants>();
  readonly nl: number;
  readonly na: number;
  readonly no: number;

  /**
   * @param anchorsPixels per level, flat `[w0, h0, w1, h1, …]` in pixels (the YAML form).
   * @param strides per level (8, 16, 32 for P3–P5).
   */
  constructor(
    readonly nc: number,
    anchorsPixels: number[][],
    readonly strides: number[],
  ) {
    super();
    this.nl = anchorsPixels.length;
    this.na = anchorsPixels[0].length / 2;
    this.no = nc + 5;
    if (strides.length !== this.nl) throw new Error(`Detect: ${this.nl} anchor levels but ${strides.length} inputs`);
    const flat = anchorsPixels.flat();
    const grid = flat.map((v, i) => v / strides[Math.floor(i / (2 * this.na))]);
    this.registerBuffer('anchors', tf.tensor3d(grid, [this.nl, this.na, 2]));
    this.registerBuffer('anchor_grid', tf.tensor(flat, [this.nl, 1, this.na, 1, 1, 2]));
  }

  /** Head conv output (NHWC) → `[bs, na, ny, nx, no]`. */
  toRaw(x: tf.Tensor4D): tf.Tensor5D {
    const [bs, ny, nx, c] = x.shape;
    if (c !== this.na * this.no) throw new Error(`Detect: input has ${c} channels, needs na·(nc+5) = ${this.na * this.no}`);
    return tf.transpose(tf.reshape(x, [bs, ny, nx, this.na, this.no]), [0, 3, 1, 2, 4]);
  }

  /** Decoded boxes for all levels: `[bs, rows, no]` (cx, cy, w, h in pixels, objectness, class probabilities). */
  decode(raw: tf.Tensor5D[]): tf.Tensor3D {
    // One fused kernel where the engine has one (wasm); the same arithmetic from tf ops elsewhere.
    if (tf.getKernel(YoloDecode, tf.getBackend()) !== undefined) {
      const inputs = Object.fromEntries(raw.map((r, l) => [`l${l}`, r]));
      const attrs: YoloDecodeAttrs = { strides: this.strides, anchors: this.anchorsPixels().flat(2) };
      return tf.engine().runKernel(YoloDecode, inputs, attrs) as tf.Tensor3D;
    }
    const c = this.decodeConstants(raw);
    return tf.tidy(() => {
      // All levels at once (a few large ops instead of a dozen small ones per level), same arithmetic.
      const bs = raw[0].shape[0];
      const rows = c.grid.shape[1];
      const y = torchSigmoid(tf.concat(raw.map((r) => tf.reshape(r, [bs, r.shape[1] * r.shape[2] * r.shape[3], this.no])), 1));
      const xy = tf.mul(tf.add(tf.sub(tf.mul(tf.slice(y, [0, 0, 0], [bs, rows, 2]), 2), 0.5), c.grid), c.stride);
      const wh = tf.mul(tf.square(tf.mul(tf.slice(y, [0, 0, 2], [bs, rows, 2]), 2)), c.anchorGrid);
      const rest = tf.slice(y, [0, 0, 4], [bs, rows, this.no - 4]);
      return tf.concat([xy, wh, rest], 2) as tf.Tensor3D;
    });
  }

  /** Per-row grid cell, stride and anchor size for these level shapes (made once per input size). */
  private decodeConstants(raw: tf.Tensor5D[]): DecodeConstants {
    const key = raw.map((r) => `${r.shape[1]}x${r.shape[2]}x${r.shape[3]}`).join(',');
    let c = this.decodeCache.get(key);
    if (c === undefined) {
      const anchors = this.get('anchor_grid').dataSync();
      const total = raw.reduce((n, r) => n + r.shape[1] * r.shape[2] * r.shape[3], 0);
      const grid = new Float32Array(total * 2);
      const stride = new Float32Array(total);
      const anchorGrid = new Float32Array(total * 2);
      let row = 0;
      raw.forEach((r, level) => {
        const [, na, ny, nx] = r.shape;
        for (let a = 0; a < na; a++)
          for (let gy = 0; gy < ny; gy++)
            for (let gx = 0; gx < nx; gx++, row++) {
              grid[2 * row] = gx;
              grid[2 * row + 1] = gy;
              stride[row] = this.strides[level];
              anchorGrid[2 * row] = anchors[(level * this.na + a) * 2];
              anchorGrid[2 * row + 1] = anchors[(level * this.na + a) * 2 + 1];
            }
      });
      c = {
        grid: tf.keep(tf.tensor3d(grid, [1, total, 2])),
        stride: tf.keep(tf.tensor3d(stride, [1, total, 1])),
        anchorGrid: tf.keep(tf.tensor3d(anchorGrid, [1, total, 2])),
      };
      this.decodeCache.set(key, c);
    }
    return c;
  }

  /** Drops the decode constants (they copy anchor_grid, which loading a state dict may change). */
  override unfuse(): void {
    super.unfuse();
    for (const c of this.decodeCache.values()) tf.dispose([c.grid, c.stride, c.anchorGrid]);
    this.decodeCache.clear();
  }

  /** Anchors in pixels, per level `[[w, h] × na]` (read from the buffer, so loaded checkpoints count). */
  anchorsPixels(): number[][][] {
    const a = this.get('anchor_grid').dataSync();
    return Array.from({ length: this.nl }, (_, l) => Array.from({ length: this.na }, (_, k) => [a[(l * this.na + k) * 2], a[(l * this.na + k) * 2 + 1]]));
  }

  /** Anchors in grid units (pixels / stride), per level, as the loss wants them. */
  anchorsGrid(): number[][][] {
    const a = this.get('anchors').dataSync();
    return Array.from({ length: this.nl }, (_, l) => Array.from({ length: this.na }, (_, k) => [a[(l * this.na + k) * 2], a[(l * this.na + k) * 2 + 1]]));
  }
}

/**
 * σ composed as PyTorch's CPU kernel does it, `1 / (1 + exp(−x))` with every step rounded to float32, instead
 * of `tf.sigmoid` (tfjs-cpu rounds the double-precision result once; WASM/XNNPACK uses a rational
 * approximation). On the golden cases this reproduces ~92 % of upstream's σ values bit for bit (tf.sigmoid:
 * 73 % on cpu, 43 % on wasm) and the rest within one float32 ulp: those come from PyTorch's vectorised exp
 * (SLEEF expf_u10, ≤ 1 ulp), which no tfjs exp reproduces. Only the decode uses it, so its cost is negligible.
 */
export function torchSigmoid<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.div(1, tf.add(tf.exp(tf.neg(x)), 1)));
}

