// Helpers for writing wasm kernels out of other wasm kernels. Kernels run below the autograd tape,
// so they call the backend's kernel functions directly (as tfjs's own backends do) instead of tf ops:
// no tape nodes, no engine bookkeeping, and every intermediate is freed explicitly.
import { getKernel, type BackendValues, type KernelBackend, type KernelConfig, type KernelFunc, type KernelSetupFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

/** The wasm backend as kernels see it: only what we use. */
export interface WasmBackendLike extends KernelBackend {
  disposeData(dataId: object, force?: boolean): boolean;
  readSync(dataId: object): BackendValues;
  makeOutput(shape: number[], dtype: 'float32' | 'int32' | 'bool'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): BackendValues;
}

/** The 32-bit words of a float32 or int32 tensor on the wasm heap, as an Int32Array (no copy). */
export function int32View(b: WasmBackendLike, info: TensorInfo): Int32Array {
  const view = b.typedArrayFromHeap(info) as Float32Array | Int32Array;
  return new Int32Array(view.buffer, view.byteOffset, view.length);
}

/**
 * Float32 view of a float32 tensor on the wasm heap (no copy). Take views AFTER allocating
 * outputs: an allocation may grow the heap, which detaches earlier views.
 */
export function heapF32(b: WasmBackendLike, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${info.dtype}`);
  return b.typedArrayFromHeap(info) as Float32Array;
}

/** The stock wasm kernels that ours replaced, kept for the cases ours leave to them. */
const stockKernels = new Map<string, KernelConfig>();

export function rememberStockKernel(config: KernelConfig): void {
  if (!stockKernels.has(config.kernelName)) stockKernels.set(config.kernelName, config);
}

/** Runs the stock kernel our replacement stands in for (on the cases ours leaves to it). */
export function runStockKernel(kernelName: string, args: { inputs: object; backend: WasmBackendLike; attrs: object }): TensorInfo {
  const config = stockKernels.get(kernelName);
  if (config === undefined) throw new Error(`the stock wasm ${kernelName} kernel was not registered before ours replaced it`);
  return config.kernelFunc(args as Parameters<KernelFunc>[0]) as TensorInfo;
}

/**
 * A setupFunc for our replacement that runs the stock kernel's: stock kernels bind their C++
 * functions in setup, which the backend runs (once, on init) only for the kernels registered then.
 */
export function stockSetup(kernelName: string): KernelSetupFunc {
  return (backend) => stockKernels.get(kernelName)?.setupFunc?.(backend);
}

/**
 * A new 4-D filter whose element [a, b, i, o] is `filter[index(a, b, i, o)]` (flat index), built in
 * JS: filters are small, and the stock wasm Reverse / StridedSlice loops cost milliseconds each.
 */
export function remapFilter(
  b: WasmBackendLike,
  filter: TensorInfo,
  shape: [number, number, number, number],
  index: (a: number, bb: number, i: number, o: number) => number,
): TensorInfo {
  const source = b.readSync(filter.dataId) as Float32Array;
  const out = b.makeOutput(shape, 'float32');
  const target = b.typedArrayFromHeap(out) as Float32Array;
  let k = 0;
  for (let a = 0; a < shape[0]; a++)
    for (let bb = 0; bb < shape[1]; bb++)
      for (let i = 0; i < shape[2]; i++) for (let o = 0; o < shape[3]; o++) target[k++] = source[index(a, bb, i, o)];
  return out;
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
