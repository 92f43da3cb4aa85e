// Conv2DBackpropInput (the input gradient of a convolution, a.k.a. transposed convolution) on wasm,
// as forward convolutions (XNNPACK) of dy with the spatially flipped filter whose in/out channels
// are swapped: one at stride 1, one per output phase at stride 2 (see convInputGradient). The stock
// kernel is a scalar loop and measured ~10x slower than forward.
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convWithPadsOrCrops, disposeInfos, padOrCropHW, remapFilter, reshape, runWasmKernel, transpose, type WasmBackendLike } from './kernel-utils.ts';

/** Flips a HWIO filter in space and swaps I/O: W'[a,b,co,ci] = W[kh-1-a, kw-1-b, ci, co]. */
export function flipAndSwapFilter(b: WasmBackendLike, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  return remapFilter(b, filter, [kh, kw, co, ci], (a, bb, o, i) => ((kh - 1 - a) * kw + (kw - 1 - bb)) * ci * co + i * co + o);
}

/** One output phase of a strided input gradient along one axis (see convInputGradient). */
interface Phase {
  /** Number of filter taps that reach this phase (0 when the stride skips every tap, e.g. 1x1 s2). */
  taps: number;
  /** First index of the sub-filter in the FLIPPED filter; its taps are `stride` apart. */
  flippedBegin: number;
  /** Pads of the stride-1 convolution of dy with the sub-filter (may be negative = crop). */
  padBefore: number;
  padAfter: number;
  /** Output rows of this phase: positions y = stride·u + r, u = 0..size-1. */
  size: number;
}

/**
 * Phase r of a stride-s input gradient along one axis: dx[s·u + r] = Σ_t dy[u + q - t] · W[a0 + s·t]
 * with a0 = (r + pad) mod s and q = (r + pad - a0) / s, i.e. a stride-1 correlation of dy with the
 * taps a0, a0+s, ... flipped. Each phase costs only its own taps, so the s·s phases together cost
 * exactly one forward convolution, instead of s·s times that for zero-dilated dy.
 */
function phase(r: number, stride: number, kernel: number, padBefore: number, inSize: number, outSize: number): Phase {
  const a0 = (r + padBefore) % stride;
  const taps = a0 < kernel ? Math.ceil((kernel - a0) / stride) : 0;
  const q = (r + padBefore - a0) / stride;
  const size = Math.max(0, Math.ceil((inSize - r) / stride));
  const before = taps - 1 - q;
  return { taps, flippedBegin: kernel - 1 - a0 - stride * (taps - 1), padBefore: before, padAfter: size - outSize + taps - 1 - before, size };
}

/**
 * Gradient of a convolution with respect to its input, from forward convolutions (XNNPACK) of dy
 * with the flipped filter. Stride 1: one convolution. Stride s: one small convolution per output
 * phase (s·s of them), interleaved back into the full image.
 */
export function convInputGradient(
  b: WasmBackendLike,
  dy: TensorInfo,
  flippedFilter: TensorInfo,
  convInfo: backend_util.Conv2DInfo,
  kernelName: 'Conv2D' | 'DepthwiseConv2dNative',
): TensorInfo {
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight, inWidth, outHeight, outWidth, batchSize } = convInfo;
  const { top, left } = convInfo.padInfo;
  if (sh === 1 && sw === 1) {
    const pads: [number, number, number, number] = [kh - 1 - top, inHeight - outHeight + top, kw - 1 - left, inWidth - outWidth + left];
    return convWithPadsOrCrops(b, kernelName, dy, flippedFilter, pads, [1, 1]);
  }
  const channels = kernelName === 'Conv2D' ? flippedFilter.shape[3] : flippedFilter.shape[2];
  const rowPhases = Array.from({ length: sh }, (_, r) => phase(r, sh, kh, top, inHeight, outHeight));
  const colPhases = Array.from({ length: sw }, (_, r) => phase(r, sw, kw, left, inWidth, outWidth));
  const fullRows = Math.ceil(inHeight / sh);
  const fullCols = Math.ceil(inWidth / sw);
  // Phases are laid out [sh, sw, N·U, V, C] (a concat along the outermost axis is one block copy
  // per input) and interleaved into [N·U, sh, V, sw, C] by two transposes of rank <= 4 (the wasm
  // transpose of rank 5-6 is a slow generic loop; Pack along an inner axis copies row by row in JS).
  const parts: TensorInfo[] = [];
  for (const pr of rowPhases) {
    for (const pc of colPhases) {
      let part: TensorInfo;
      if (pr.taps === 0 || pc.taps === 0) {
        part = runWasmKernel(b, 'Fill', {}, { shape: [batchSize, fullRows, fullCols, channels], value: 0, dtype: 'float32' });
      } else {
        const [, fw, fi, fo] = flippedFilter.shape;
        const sub = remapFilter(b, flippedFilter, [pr.taps, pc.taps, fi, fo], (t, u, i, o) =>
          ((pr.flippedBegin + sh * t) * fw + pc.flippedBegin + sw * u) * fi * fo + i * fo + o);
        const conv = convWithPadsOrCrops(b, kernelName, dy, sub, [pr.padBefore, pr.padAfter, pc.padBefore, pc.padAfter], [1, 1]);
        // Phases of an odd-sized image differ by one row/column: pad all to the same size.
        part = pr.size === fullRows && pc.size === fullCols ? conv : padOrCropHW(b, conv, 0, fullRows - pr.size, 0, fullCols - pc.size);
        disposeInfos(b, sub);
        if (part !== conv) disposeInfos(b, conv);
      }
      parts.push(part);
    }
  }
  const flatParts = parts.map((p) => reshape(b, p, [1, batchSize * fullRows * fullCols * channels]));
  const stacked = runWasmKernel(b, 'Concat', flatParts, { axis: 0 });
  const m = batchSize * fullRows;
  const phases = reshape(b, stacked, [sh, sw, m * fullCols, channels]);
  const columnsInterleaved = transpose(b, phases, [0, 2, 1, 3]); // [sh, (N·U, V), sw, C]
  const rowsFirst = reshape(b, columnsInterleaved, [sh, m, fullCols * sw * channels]);
  const interleaved = transpose(b, rowsFirst, [1, 0, 2]); // [N·U, sh, V·sw·C]
  const image = reshape(b, interleaved, [batchSize, fullRows * sh, fullCols * sw, channels]);
  const dx = fullRows * sh === inHeight && fullCols * sw === inWidth
    ? runWasmKernel(b, 'Identity', { x: image })
    : runWasmKernel(b, 'Slice', { x: image }, { begin: [0, 0, 0, 0], size: [batchSize, inHeight, inWidth, channels] });
  disposeInfos(b, ...parts, ...flatParts, stacked, phases, columnsInterleaved, rowsFirst, interleaved, image);
  return dx;
}

function conv2DBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: WasmBackendLike; attrs: Conv2DBackpropInputAttrs }): TensorInfo {
  const { inputs: { dy, filter }, backend: b, attrs } = args;
  if (attrs.dataFormat !== 'NHWC') throw new Error(`wasm Conv2DBackpropInput supports only NHWC, got ${attrs.dataFormat}`);
  const convInfo = backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  const flipped = flipAndSwapFilter(b, filter);
  const dx = convInputGradient(b, dy, flipped, convInfo, 'Conv2D');
  disposeInfos(b, flipped);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
