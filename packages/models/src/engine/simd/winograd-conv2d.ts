// Winograd F(2x2, 3x3) and F(4x4, 3x3) for 3x3 stride-1 convolutions with padding 1 (YOLO's
// bottleneck convs), the forward of Conv2D / FusedConv2D with bias and linear/relu6/leakyrelu fused:
// transforms in wat/winograd-conv2d.wat, the 16 or 36 products through the 1x1 GEMM kernel
// (pointwise-conv2d.wat's "batch"). F(2x2) does 2.25x fewer multiplies than the direct kernel,
// F(4x4) 4x, for a few adds per element in the transforms; each stage splits over the threads that
// share the heap (tiles for the transforms, products for the GEMMs). In fast inference transformed
// filters are cached (winograd-filter-cache.ts). Rounding: the transforms add a few float32 roundings per output,
// F(4x4)'s several more than F(2x2)'s (see engine-winograd tests).
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { heapF32, type WasmBackendLike } from '../wasm-kernels/kernel-utils.ts';
import { ACTIVATION_MODES, type SimdConvArgs } from './conv-args.ts';
import { forwardConvInfo, padInput, paddedBytes } from './conv2d.ts';
import { simdKernel, splitRows, type SimdHeap } from './simd-module.ts';
import { withTransformedFilter } from './winograd-filter-cache.ts';
import { inFastInference } from '../inference-mode.ts';

interface WinogradKernel {
  filter(g: number, u: number, c: number, co: number): void;
  input(xp: number, v: number, t0: number, t1: number, tH: number, tW: number, wp: number, c: number, imageBytes: number, planeBytes: number): void;
  output(m: number, bias: number, y: number, t0: number, t1: number, tH: number, tW: number, oh: number, ow: number, co: number, planeBytes: number, mode: number, slope: number): void;
  filter4(g: number, u: number, tmp: number, c0: number, c1: number, c: number, co: number): void;
  input4(xp: number, v: number, tmp: number, t0: number, t1: number, tH: number, tW: number, wp: number, c: number, imageBytes: number, planeBytes: number): void;
  output4(m: number, bias: number, y: number, tmp: number, t0: number, t1: number, tH: number, tW: number, oh: number, ow: number, co: number, planeBytes: number, mode: number, slope: number): void;
}

interface GemmBatchKernel {
  batch(x: number, w: number, y: number, rows: number, k: number, n: number, count: number, xStride: number, wStride: number, yStride: number): void;
}

/** An output tile size: F(m x m, 3x3) reads (m+2)² patches and multiplies (m+2)² products. */
interface Variant {
  name: 'F2' | 'F4';
  tile: number;
  positions: number;
  /** Bytes of per-thread scratch its transforms use. */
  tmpBytes: number;
}
const F2: Variant = { name: 'F2', tile: 2, positions: 16, tmpBytes: 0 };
const F4: Variant = { name: 'F4', tile: 4, positions: 36, tmpBytes: 576 };

/**
 * Below these the direct kernel measured faster (2 threads, with dataSync): 16 input channels
 * (320x320 16→16: 7.9 ms direct, 10.2 F(4x4)); with 32 the GEMMs are shallow but F(4x4) still wins
 * (160x160 32→64: 11.9 direct, 11.8 F(2x2), 10.0 F(4x4)); from 64 both win (64→64 at 80x80: 5.0,
 * 3.9, 3.1; 128→128 at 40x40: 5.0, 2.7, 1.9; 256→256 at 20x20: 4.9, 2.5, 1.9). Under 64 2x2 tiles
 * there is too little work to split.
 */
const MIN_INPUT_CHANNELS = 64;
/** F(4x4) (fast inference only) wins from 32; a forced tile size also takes 32. */
const MIN_INPUT_CHANNELS_F4 = 32;
const MIN_TILES = 64;
/** Tiles below which a transform part is not worth handing to another thread. */
const MIN_PART_TILES = 64;

/** The convolution's Conv2DInfo where the Winograd path takes it (same inputs as the direct kernel's), else undefined. */
export function winogradInfo(args: SimdConvArgs): backend_util.Conv2DInfo | undefined {
  const info = forwardConvInfo(args);
  if (info === undefined) return undefined;
  const { top, bottom, left, right } = info.padInfo;
  const applies =
    info.filterHeight === 3 && info.filterWidth === 3 && info.strideHeight === 1 && info.strideWidth === 1 &&
    top === 1 && bottom === 1 && left === 1 && right === 1 &&
    info.inChannels % 4 === 0 && info.inChannels >= (inFastInference() || choice === 'F2' || choice === 'F4' ? MIN_INPUT_CHANNELS_F4 : MIN_INPUT_CHANNELS) && info.outChannels % 8 === 0 &&
    Math.ceil(info.outHeight / 2) * Math.ceil(info.outWidth / 2) * info.batchSize >= MIN_TILES;
  return applies ? info : undefined;
}

/** 'auto': F(4x4) only inside withFastInference (inference-mode.ts), F(2x2) elsewhere. */
export type WinogradChoice = 'off' | 'auto' | 'F2' | 'F4';
let choice: WinogradChoice = 'auto';

/** Forces one tile size or none, for tests and A/B benchmarks. Returns the previous setting. */
export function setWinogradVariant(next: WinogradChoice): WinogradChoice {
  const previous = choice;
  choice = next;
  return previous;
}

/**
 * The tile size for a convolution Winograd takes. F(2x2) adds no measurable error to a YOLO
 * forward; F(4x4) doubles it, so it is taken only for fast inference, and there only where it
 * needs fewer multiplies than F(2x2), counting the partial tiles at the edges (nearly everywhere).
 */
export function winogradVariant(info: backend_util.Conv2DInfo): Variant {
  if (choice === 'F2' || choice === 'F4') return choice === 'F2' ? F2 : F4;
  if (!inFastInference()) return F2;
  const products = (v: Variant) => Math.ceil(info.outHeight / v.tile) * Math.ceil(info.outWidth / v.tile) * v.positions;
  return products(F4) < products(F2) ? F4 : F2;
}

/** y, or undefined when Winograd does not cover the case (the caller tries the next kernel). */
export function simdWinogradConv2D(b: WasmBackendLike, args: SimdConvArgs): TensorInfo | undefined {
  const mode = ACTIVATION_MODES[args.activation ?? 'linear'];
  const info = mode === undefined || choice === 'off' ? undefined : winogradInfo(args);
  if (mode === undefined || info === undefined) return undefined;
  const wino = simdKernel<WinogradKernel>(b, 'winograd-conv2d');
  const gemm = simdKernel<GemmBatchKernel>(b, 'pointwise-conv2d');
  if (wino === undefined || gemm === undefined) return undefined;
  const variant = winogradVariant(info);
  const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: c, outChannels: co } = info;
  const m = variant.tile;
  const tH = Math.ceil(oh / m);
  const tW = Math.ceil(ow / m);
  const tiles = n * tH * tW;
  const rows = Math.ceil(tiles / 4) * 4;
  // Whole tiles read m·tH + 2 padded rows (more than the padding gives where m does not divide oh).
  const extra = { bottom: m * tH - oh, right: m * tW - ow };
  const padBytes = paddedBytes(info, extra);
  const tileParts = splitRows(tiles, wino.threads, 1, MIN_PART_TILES);
  const tmpBytes = variant.tmpBytes * Math.max(tileParts.length, wino.threads);
  const uBytes = 4 * variant.positions * c * co;
  const vPlane = 4 * rows * c;
  const mPlane = 4 * rows * co;
  const y = b.makeOutput(info.outShape, 'float32');
  const filterAt = heapF32(b, args.filter).byteOffset;
  const transformFilter = (uAt: number) => {
    if (variant === F2) {
      wino.kernel.filter(filterAt, uAt, c, co);
      return;
    }
    wino.withScratch(tmpBytes, (tmp) => {
      const parts = splitRows(c, wino.threads, 1, 16);
      wino.parallel('filter4', parts.map(([c0, c1], i) => [filterAt, uAt, tmp + i * variant.tmpBytes, c0, c1, c, co]));
    });
  };
  withTransformedFilter(wino as SimdHeap<unknown>, variant.name, args.filter.dataId, uBytes, transformFilter, (uAt) => {
    wino.withScratch(padBytes + tmpBytes + variant.positions * (vPlane + mPlane), (scratch) => {
      const tmpAt = scratch + padBytes;
      const vAt = tmpAt + tmpBytes;
      const mAt = vAt + variant.positions * vPlane;
      const padded = padInput(b, wino, args.x, info, scratch, extra);
      const imageBytes = 4 * padded.hp * padded.wp * c;
      if (variant === F2) {
        wino.parallel('input', tileParts.map(([t0, t1]) => [padded.address, vAt, t0, t1, tH, tW, padded.wp, c, imageBytes, vPlane]));
      } else {
        wino.parallel('input4', tileParts.map(([t0, t1], i) => [padded.address, vAt, tmpAt + i * variant.tmpBytes, t0, t1, tH, tW, padded.wp, c, imageBytes, vPlane]));
      }
      const productParts = splitRows(variant.positions, gemm.threads, 1, 1);
      gemm.parallel(
        'batch',
        productParts.map(([p0, p1]) => [vAt + p0 * vPlane, uAt + p0 * 4 * c * co, mAt + p0 * mPlane, rows, c, co, p1 - p0, vPlane, 4 * c * co, mPlane]),
      );
      const biasAt = args.bias === undefined ? 0 : heapF32(b, args.bias).byteOffset;
      const yAt = heapF32(b, y).byteOffset;
      const slope = args.leakyreluAlpha ?? 0.2;
      if (variant === F2) {
        wino.parallel('output', tileParts.map(([t0, t1]) => [mAt, biasAt, yAt, t0, t1, tH, tW, oh, ow, co, mPlane, mode, slope]));
      } else {
        wino.parallel('output4', tileParts.map(([t0, t1], i) => [mAt, biasAt, yAt, tmpAt + i * variant.tmpBytes, t0, t1, tH, tW, oh, ow, co, mPlane, mode, slope]));
      }
    });
  });
  return y;
}
