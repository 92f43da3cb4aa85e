// Helpers for writing wasm kernels out of other wasm kernels. Kernels run below the autograd tape,
// so they call the backend's kernel functions directly (as tfjs's own backends do) instead of tf ops:
// no tape nodes, no engine bookkeeping, and every intermediate is freed explicitly.
import { getKernel, type KernelBackend, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

/** The wasm backend as kernels see it: only what we use. */
export interface WasmBackendLike extends KernelBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Runs a registered wasm kernel (stock or ours) on TensorInfos and returns its single output. */
export function runWasmKernel(
  backend: WasmBackendLike,
  kernelName: string,
  inputs: Record<string, TensorInfo> | TensorInfo[],
  attrs: NamedAttrMap = {},
): TensorInfo {
  const config = getKernel(kernelName, 'wasm');
  if (config === undefined) throw new Error(`wasm kernel ${kernelName} is not registered`);
  // Pack/Concat take their inputs as an array, every other kernel by name.
  const out = config.kernelFunc({ inputs: inputs as Record<string, TensorInfo>, attrs, backend });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${kernelName} returned several outputs`);
  return out;
}

/** Frees intermediates (reshapes share data by ref-count, so this is safe for them too). */
export function disposeInfos(backend: WasmBackendLike, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

export const reshape = (b: WasmBackendLike, x: TensorInfo, shape: number[]): TensorInfo =>
  runWasmKernel(b, 'Reshape', { x }, { shape });

export const transpose = (b: WasmBackendLike, x: TensorInfo, perm: number[]): TensorInfo =>
  runWasmKernel(b, 'Transpose', { x }, { perm });

/** Pads (positive) or crops (negative) the two spatial axes of an NHWC tensor. */
export function padOrCropHW(
  b: WasmBackendLike,
  x: TensorInfo,
  top: number,
  bottom: number,
  left: number,
  right: number,
): TensorInfo {
  const [n, h, w, c] = x.shape;
  let current = x;
  const owned: TensorInfo[] = [];
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const t = Math.max(0, -top), bt = Math.max(0, -bottom), l = Math.max(0, -left), r = Math.max(0, -right);
    current = runWasmKernel(b, 'Slice', { x: current }, { begin: [0, t, l, 0], size: [n, h - t - bt, w - l - r, c] });
    owned.push(current);
  }
  const pt = Math.max(0, top), pb = Math.max(0, bottom), pl = Math.max(0, left), pr = Math.max(0, right);
  if (pt + pb + pl + pr > 0) {
    const padded = runWasmKernel(b, 'PadV2', { x: current }, { paddings: [[0, 0], [pt, pb], [pl, pr], [0, 0]], constantValue: 0 });
    disposeInfos(b, ...owned);
    return padded;
  }
  if (owned.length === 0) return runWasmKernel(b, 'Identity', { x });
  return current;
}

/**
 * Inserts (stride - 1) zeros between neighbouring rows and columns of an NHWC tensor, so that the
 * gradient of a strided convolution becomes a stride-1 convolution: [N,H,W,C] → [N,(H-1)s+1,(W-1)s+1,C].
 * Done as one pad of a 6-D view followed by a crop, both single wasm kernels.
 */
export function dilateHW(b: WasmBackendLike, x: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return runWasmKernel(b, 'Identity', { x });
  const [n, h, w, c] = x.shape;
  const six = reshape(b, x, [n, h, 1, w, 1, c]);
  const padded = runWasmKernel(b, 'PadV2', { x: six }, {
    paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
    constantValue: 0,
  });
  const flat = reshape(b, padded, [n, h * sh, w * sw, c]);
  const cropped = runWasmKernel(b, 'Slice', { x: flat }, { begin: [0, 0, 0, 0], size: [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c] });
  disposeInfos(b, six, padded, flat);
  return cropped;
}

/**
 * Runs a stride-1 Conv2D / DepthwiseConv2dNative with explicit [top, bottom, left, right] pads;
 * negative pads (rows the forward conv never reached) become a crop of the input first.
 */
export function convWithPadsOrCrops(
  b: WasmBackendLike,
  kernelName: 'Conv2D' | 'DepthwiseConv2dNative',
  x: TensorInfo,
  filter: TensorInfo,
  pads: [number, number, number, number],
  dilations: [number, number],
): TensorInfo {
  let source = x;
  let explicit = [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]];
  if (pads.some((p) => p < 0)) {
    source = padOrCropHW(b, x, pads[0], pads[1], pads[2], pads[3]);
    explicit = [[0, 0], [0, 0], [0, 0], [0, 0]];
  }
  const out = runWasmKernel(b, kernelName, { x: source, filter }, { strides: [1, 1], pad: explicit, dilations, dataFormat: 'NHWC' });
  if (source !== x) disposeInfos(b, source);
  return out;
}
