// A 1x1 stride-1 convolution (Conv2D / FusedConv2D forward) with the SIMD GEMM kernel
// (wat/pointwise-conv2d.wat), bias and linear/relu6/leakyrelu fused, for pixels % 4 = 0 and
// out channels % 8 = 0 and at least 64 input channels: measured ~1.3-2x the stock XNNPACK
// convolution there (e.g. 80x80 64→64, 20x20 576→96), no faster with fewer input channels.
// The output may be a channel slice of a wider tensor (pointwise-concat: convolutions written
// side by side into their concatenation).
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapF32, type WasmBackendLike } from '../wasm-kernels/kernel-utils.ts';
import { ACTIVATION_MODES, type SimdConvArgs } from './conv-args.ts';
import { simdKernel, splitRows, type SimdHeap } from './simd-module.ts';

interface PointwiseConvKernel {
  conv(x: number, w: number, bias: number, y: number, rows: number, k: number, n: number, ldy: number, mode: number, slope: number): void;
}

const MIN_INPUT_CHANNELS = 64;
/** Multiply-adds below which a part is not worth handing to another thread (~0.1 ms of work). */
const MIN_PART_MACS = 2_000_000;

export type PointwiseConvArgs = SimdConvArgs;

/** A convolution the GEMM kernel covers, ready to run into any output rows. */
export interface PointwisePlan {
  simd: SimdHeap<PointwiseConvKernel>;
  args: PointwiseConvArgs;
  outShape: [number, number, number, number];
  rows: number;
  k: number;
  n: number;
  mode: number;
}

/** The plan, or undefined when the kernel does not cover the case (the caller runs the stock kernel). */
export function planPointwiseConv2D(b: WasmBackendLike, args: PointwiseConvArgs): PointwisePlan | undefined {
  const { x, filter, bias } = args;
  const mode = ACTIVATION_MODES[args.activation ?? 'linear'];
  if (mode === undefined || args.dataFormat !== 'NHWC' || x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4) return undefined;
  const [kh, kw, k, n] = filter.shape;
  // Below 64 input channels XNNPACK measured as fast or faster (the tile's epilogue dominates).
  if (kh !== 1 || kw !== 1 || n % 8 !== 0 || k < MIN_INPUT_CHANNELS) return undefined;
  if (bias !== undefined && !(bias.shape.length === 1 && bias.shape[0] === n && bias.dtype === 'float32')) return undefined;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number], args.strides, args.dilations, args.pad, args.dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1 || top + bottom + left + right !== 0) return undefined;
  const rows = info.batchSize * info.outHeight * info.outWidth;
  if (rows % 4 !== 0 || rows === 0) return undefined;
  const simd = simdKernel<PointwiseConvKernel>(b, 'pointwise-conv2d');
  if (simd === undefined) return undefined;
  return { simd, args, outShape: info.outShape as [number, number, number, number], rows, k, n, mode };
}

/** Runs a plan into `y`'s channels [column, column + n) of rows `rowStride` floats wide. */
export function runPointwisePlan(b: WasmBackendLike, plan: PointwisePlan, y: TensorInfo, column: number, rowStride: number): void {
  const { simd, args, rows, k, n, mode } = plan;
  const biasAt = args.bias === undefined ? 0 : heapF32(b, args.bias).byteOffset;
  const xAt = heapF32(b, args.x).byteOffset;
  const wAt = heapF32(b, args.filter).byteOffset;
  const yAt = heapF32(b, y).byteOffset + 4 * column;
  // Rows are independent: split them (in whole 4-row tiles) over the threads that share the heap.
  const parts = splitRows(rows, simd.threads, 4, Math.ceil(MIN_PART_MACS / (k * n)));
  simd.parallel(
    'conv',
    parts.map(([start, end]) => [xAt + 4 * start * k, wAt, biasAt, yAt + 4 * start * rowStride, end - start, k, n, rowStride, mode, args.leakyreluAlpha ?? 0.2]),
  );
}

/** y, or undefined when the kernel does not cover the case (the caller runs the stock kernel). */
export function simdPointwiseConv2D(b: WasmBackendLike, args: PointwiseConvArgs): TensorInfo | undefined {
  const plan = planPointwiseConv2D(b, args);
  if (plan === undefined) return undefined;
  const y = b.makeOutput(plan.outShape, 'float32');
  runPointwisePlan(b, plan, y, 0, plan.n);
  return y;
}
