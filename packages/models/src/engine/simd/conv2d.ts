// A direct KH×KW convolution (Conv2D / FusedConv2D forward: 3x3 at stride 1 and 2, and the small
// sub-filters of the strided input gradient) with the SIMD implicit-GEMM kernel (wat/conv2d.wat),
// bias and linear/relu6/leakyrelu fused. The input is copied once into a zero-padded scratch image
// (explicit, 'same' or 'valid' pads alike), so the kernel never tests bounds. Used where it
// measured faster than the stock XNNPACK convolution (see useDirect); the caller runs the stock
// kernel when this returns undefined.
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapF32, type WasmBackendLike } from '../wasm-kernels/kernel-utils.ts';
import { ACTIVATION_MODES, type SimdConvArgs } from './conv-args.ts';
import { simdKernel, splitRows, type SimdHeap } from './simd-module.ts';

export interface Conv2DKernel {
  bases(xp: number, out: number, batch: number, oh: number, ow: number, imageBytes: number, rowStepBytes: number, colStepBytes: number): void;
  conv(bases: number, w: number, bias: number, y: number, rows: number, kh: number, kwc: number, rowBytes: number, n: number, mode: number, slope: number, tmp: number, block: number): void;
  convDeep(bases: number, w: number, bias: number, y: number, rows: number, kh: number, kwc: number, rowBytes: number, n: number, mode: number, slope: number, tmp: number, block: number, acc: number): void;
}


export type DirectConvArgs = SimdConvArgs;

/** The zero-padded copy of an NHWC input that a direct-convolution kernel reads. */
export interface PaddedInput {
  /** Heap address of the padded image set (x itself when there is no padding). */
  address: number;
  /** Padded height and width. */
  hp: number;
  wp: number;
}

/** Zero rows / columns to add below and right of the convolution's own padding (whole Winograd tiles). */
export interface ExtraPadding {
  bottom: number;
  right: number;
}

const NO_EXTRA: ExtraPadding = { bottom: 0, right: 0 };

/** Bytes of scratch that padInput needs (0 without padding). */
export function paddedBytes(info: backend_util.Conv2DInfo, extra: ExtraPadding = NO_EXTRA): number {
  const { top, bottom, left, right } = info.padInfo;
  if (top + bottom + left + right + extra.bottom + extra.right === 0) return 0;
  return 4 * info.batchSize * (info.inHeight + top + bottom + extra.bottom) * (info.inWidth + left + right + extra.right) * info.inChannels;
}

/** Copies x into `scratch` with its pads as zeros (or returns x's own address when unpadded). */
export function padInput(b: WasmBackendLike, simd: SimdHeap<unknown>, x: TensorInfo, info: backend_util.Conv2DInfo, scratch: number, extra: ExtraPadding = NO_EXTRA): PaddedInput {
  const { top, bottom, left, right } = info.padInfo;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c } = info;
  const hp = h + top + bottom + extra.bottom;
  const wp = w + left + right + extra.right;
  const source = heapF32(b, x);
  if (hp === h && wp === w) return { address: source.byteOffset, hp, wp };
  const target = simd.f32(scratch, n * hp * wp * c);
  target.fill(0);
  const rowFloats = w * c;
  for (let img = 0; img < n; img++) {
    for (let row = 0; row < h; row++) {
      const from = (img * h + row) * rowFloats;
      target.set(source.subarray(from, from + rowFloats), ((img * hp + row + top) * wp + left) * c);
    }
  }
  return { address: scratch, hp, wp };
}

/** Fills `out` with each output pixel's window address in the padded input (Conv2DKernel.bases). */
export function windowBases(kernel: Conv2DKernel, padded: PaddedInput, info: backend_util.Conv2DInfo, out: number): void {
  const c4 = 4 * info.inChannels;
  kernel.bases(padded.address, out, info.batchSize, info.outHeight, info.outWidth, padded.hp * padded.wp * c4, info.strideHeight * padded.wp * c4, info.strideWidth * c4);
}

/** The Conv2DInfo of a forward convolution, or undefined where the SIMD kernels do not apply. */
export function forwardConvInfo(args: DirectConvArgs): backend_util.Conv2DInfo | undefined {
  const { x, filter, bias } = args;
  if (args.dataFormat !== 'NHWC' || x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4) return undefined;
  if (bias !== undefined && !(bias.shape.length === 1 && bias.shape[0] === filter.shape[3] && bias.dtype === 'float32')) return undefined;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number], args.strides, args.dilations, args.pad, args.dimRoundingMode,
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  if (Object.values(info.padInfo).some((p) => typeof p === 'number' && p < 0)) return undefined;
  if (info.batchSize * info.outHeight * info.outWidth < 4 || info.outChannels === 0 || info.inChannels === 0) return undefined;
  return info;
}

/** Multiply-adds below which a part is not worth handing to another thread (~0.1 ms of work). */
const MIN_PART_MACS = 2_000_000;
/** Scratch bytes per part for the kernel's narrow-panel stores (one row of 8 floats). */
const TMP_BYTES = 32;

/**
 * Taps × input channels past which a tile's [K][8] filter panel (32 bytes per tap) leaves L1: such
 * filters run row by row (convDeep), 3x3 256→512 at 40→20 13.4 → 10 ms on 2 threads.
 */
const DEEP_TAPS = 1024;
/** Partial sums convDeep keeps per 4-pixel tile (8 f32x4). */
const ACC_BYTES_PER_TILE = 128;

/** Padded input a block of output pixels may span (its windows stay in L2 beside the streamed filter). */
const BLOCK_INPUT_BYTES = 1 << 20;

/**
 * Output pixels per block: each block reads the whole filter once, so small deep layers (20x20 with
 * 256-512 channels: MBs of filter, few pixels) want one block for the whole part, as long as the
 * block's input rows stay cached; never below 64 (the shallow, wide layers' block).
 */
function rowBlock(info: backend_util.Conv2DInfo, wp: number, partRows: number): number {
  const inputRows = Math.floor(BLOCK_INPUT_BYTES / (4 * wp * info.inChannels)) - info.filterHeight;
  const pixels = Math.floor(inputRows / info.strideHeight) * info.outWidth;
  return Math.max(64, Math.floor(Math.min(partRows, pixels) / 4) * 4);
}

/** Taps × input channels past which linear/relu6 convolutions stay with XNNPACK (see useDirect). */
const MAX_FUSED_STOCK_DEPTH = 9 * 128;

/**
 * Where the direct kernel measured faster (CPU time, same run): every filter larger than 1x1
 * (3x3 linear/relu6 ~1.15-1.25x, leakyrelu — which the stock kernel applies in a separate pass —
 * 1.6-3x), but a 1x1 only with leakyrelu (~3x; linear 1x1 measured 0.75x of XNNPACK's GEMM).
 * Fewer than 8 output channels waste most of the 8-wide tile (0.88x): stock.
 * Fewer than 8 input channels with linear/relu6: stock (its RGB first-layer kernel).
 */
function useDirect(info: backend_util.Conv2DInfo, mode: number): boolean {
  if (info.outChannels < 8) return false;
  if (mode === ACTIVATION_MODES.leakyrelu) return true;
  // An RGB stem (3 input channels): XNNPACK has a dedicated kernel, 2x ours (640² → 320², 3 → 32).
  if (info.inChannels < 8) return false;
  // Beyond ~1152 taps × channels a tile's [K][8] filter panel (36 KB) leaves L1 and the kernel
  // fell to 0.88-0.93x of XNNPACK's linear/relu6 3x3 (256 → 256 channels).
  if (info.filterHeight * info.filterWidth * info.inChannels > MAX_FUSED_STOCK_DEPTH) return false;
  return info.filterHeight * info.filterWidth > 1;
}

/** y, or undefined when the kernel does not cover the case (the caller runs the stock kernel). */
export function simdDirectConv2D(b: WasmBackendLike, args: DirectConvArgs): TensorInfo | undefined {
  const mode = ACTIVATION_MODES[args.activation ?? 'linear'];
  if (mode === undefined) return undefined;
  const info = forwardConvInfo(args);
  if (info === undefined || !useDirect(info, mode)) return undefined;
  const simd = simdKernel<Conv2DKernel>(b, 'conv2d');
  if (simd === undefined) return undefined;
  const { filter, bias } = args;
  const { filterHeight: kh, filterWidth: kw, inChannels: c, outChannels: n } = info;
  const rows = info.batchSize * info.outHeight * info.outWidth;
  // A last panel narrower than 8 reads 8 floats of w and bias rows: copies with slack keep that in bounds.
  const slack = n % 8 !== 0;
  const wFloats = kh * kw * c * n;
  const padBytes = paddedBytes(info);
  const y = b.makeOutput(info.outShape, 'float32');
  const parts = splitRows(rows, simd.threads, 4, Math.ceil(MIN_PART_MACS / (kh * kw * c * n)));
  const wp = info.inWidth + info.padInfo.left + info.padInfo.right;
  const blocks = parts.map(([start, end]) => rowBlock(info, wp, end - start));
  const deep = kh > 1 && kh * kw * c > DEEP_TAPS;
  const accBytes = deep ? Math.max(...blocks.map((block) => Math.ceil(block / 4) * ACC_BYTES_PER_TILE)) : 0;
  const tmpAt = 0;
  const basesAt = TMP_BYTES * parts.length;
  const paddedAt = basesAt + 4 * rows;
  const wAt = paddedAt + padBytes;
  const biasAt = wAt + 4 * (wFloats + 8);
  const accAt = slack ? biasAt + 4 * (n + 8) : paddedAt + padBytes;
  simd.withScratch(accAt + accBytes * parts.length, (scratch) => {
    const padded = padInput(b, simd, args.x, info, scratch + paddedAt);
    windowBases(simd.kernel, padded, info, scratch + basesAt);
    let wAddress = heapF32(b, filter).byteOffset;
    let biasAddress = bias === undefined ? 0 : heapF32(b, bias).byteOffset;
    if (slack) {
      simd.f32(scratch + wAt, wFloats + 8).set(heapF32(b, filter));
      wAddress = scratch + wAt;
      if (bias !== undefined) {
        simd.f32(scratch + biasAt, n + 8).set(heapF32(b, bias));
        biasAddress = scratch + biasAt;
      }
    }
    const yAt = heapF32(b, y).byteOffset;
    // Output pixels are independent: split them over the threads that share the heap, each part
    // with its own slice of the window addresses and its own store (and partial-sum) scratch.
    simd.parallel(
      deep ? 'convDeep' : 'conv',
      parts.map(([start, end], i) => [
        scratch + basesAt + 4 * start, wAddress, biasAddress, yAt + 4 * start * n, end - start, kh, kw * c, padded.wp * c * 4, n, mode, args.leakyreluAlpha ?? 0.2, scratch + tmpAt + TMP_BYTES * i,
        blocks[i], ...(deep ? [scratch + accAt + accBytes * i] : []),
      ]),
    );
  });
  return y;
}
