// Winograd F(2x2, 3x3) for 3x3 stride-1 convolutions with padding 1 (YOLO's bottleneck convs), the
// forward of Conv2D / FusedConv2D with bias and linear/relu6/leakyrelu fused: transforms in
// wat/winograd-conv2d.wat, the 16 products through the 1x1 GEMM kernel (pointwise-conv2d.wat's
// "batch"). 2.25x fewer multiplies than the direct kernel for a few adds per element; each stage
// splits over the threads that share the heap (tiles for the transforms, products for the GEMMs).
// Rounding: the transforms add a few float32 roundings per output (see engine-winograd tests).
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { heapF32, type WasmBackendLike } from '../wasm-kernels/kernel-utils.ts';
import { ACTIVATION_MODES, type SimdConvArgs } from './conv-args.ts';
import { forwardConvInfo, padInput, paddedBytes } from './conv2d.ts';
import { simdKernel, splitRows } from './simd-module.ts';

interface WinogradKernel {
  filter(g: number, u: number, c: number, co: number): void;
  input(xp: number, v: number, t0: number, t1: number, tH: number, tW: number, wp: number, c: number, imageBytes: number, planeBytes: number): void;
  output(m: number, bias: number, y: number, t0: number, t1: number, tH: number, tW: number, oh: number, ow: number, co: number, planeBytes: number, mode: number, slope: number): void;
}

interface GemmBatchKernel {
  batch(x: number, w: number, y: number, rows: number, k: number, n: number, count: number, xStride: number, wStride: number, yStride: number): void;
}

/** Transform positions: a 4x4 patch per 2x2 output tile. */
const POSITIONS = 16;
/**
 * Below these the direct kernel measured faster: with 32 input channels the GEMMs are too shallow
 * (160x160 32→32: 5.2 ms vs direct 4.7 ms on 2 threads; 64→64 at 80x80: 3.8 vs 4.7, 128→128 at 40x40:
 * 3.1 vs 4.6, 256→256 at 20x20: 3.5 vs 5.9), or there is too little work to split.
 */
const MIN_INPUT_CHANNELS = 64;
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
    info.inChannels % 4 === 0 && info.inChannels >= MIN_INPUT_CHANNELS && info.outChannels % 8 === 0 &&
    Math.ceil(info.outHeight / 2) * Math.ceil(info.outWidth / 2) * info.batchSize >= MIN_TILES;
  return applies ? info : undefined;
}

/** y, or undefined when Winograd does not cover the case (the caller tries the next kernel). */
export function simdWinogradConv2D(b: WasmBackendLike, args: SimdConvArgs): TensorInfo | undefined {
  const mode = ACTIVATION_MODES[args.activation ?? 'linear'];
  const info = mode === undefined ? undefined : winogradInfo(args);
  if (mode === undefined || info === undefined) return undefined;
  const wino = simdKernel<WinogradKernel>(b, 'winograd-conv2d');
  const gemm = simdKernel<GemmBatchKernel>(b, 'pointwise-conv2d');
  if (wino === undefined || gemm === undefined) return undefined;
  const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: c, outChannels: co } = info;
  const tH = Math.ceil(oh / 2);
  const tW = Math.ceil(ow / 2);
  const tiles = n * tH * tW;
  const rows = Math.ceil(tiles / 4) * 4;
  // Whole tiles read 2·tH + 2 padded rows (one more than the padding gives when oh is odd).
  const extra = { bottom: 2 * tH - oh, right: 2 * tW - ow };
  const padBytes = paddedBytes(info, extra);
  const uBytes = 4 * POSITIONS * c * co;
  const vPlane = 4 * rows * c;
  const mPlane = 4 * rows * co;
  const y = b.makeOutput(info.outShape, 'float32');
  wino.withScratch(padBytes + uBytes + POSITIONS * (vPlane + mPlane), (scratch) => {
    const uAt = scratch + padBytes;
    const vAt = uAt + uBytes;
    const mAt = vAt + POSITIONS * vPlane;
    const padded = padInput(b, wino, args.x, info, scratch, extra);
    wino.kernel.filter(heapF32(b, args.filter).byteOffset, uAt, c, co);
    const tileParts = splitRows(tiles, wino.threads, 1, MIN_PART_TILES);
    const imageBytes = 4 * padded.hp * padded.wp * c;
    wino.parallel('input', tileParts.map(([t0, t1]) => [padded.address, vAt, t0, t1, tH, tW, padded.wp, c, imageBytes, vPlane]));
    const productParts = splitRows(POSITIONS, gemm.threads, 1, 1);
    gemm.parallel(
      'batch',
      productParts.map(([p0, p1]) => [vAt + p0 * vPlane, uAt + p0 * 4 * c * co, mAt + p0 * mPlane, rows, c, co, p1 - p0, vPlane, 4 * c * co, mPlane]),
    );
    const biasAt = args.bias === undefined ? 0 : heapF32(b, args.bias).byteOffset;
    const yAt = heapF32(b, y).byteOffset;
    wino.parallel('output', tileParts.map(([t0, t1]) => [mAt, biasAt, yAt, t0, t1, tH, tW, oh, ow, co, mPlane, mode, args.leakyreluAlpha ?? 0.2]));
  });
  return y;
}
