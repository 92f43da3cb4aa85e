// Training kernels for the tfjs `wasm` backend, and fixes to the `cpu` backend's. Browser-safe:
// they only use tfjs-core and the backends' own kernels, so the web app can train on wasm too.
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { cpuResizeNearestNeighborGradConfig } from '../cpu-kernels/resize-nearest-neighbor-grad.ts';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.ts';
import { conv2DConfig } from './conv2d.ts';
import { fusedConv2DConfig } from './fused-conv2d.ts';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-conv2d-backprop-filter.ts';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-conv2d-backprop-input.ts';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.ts';
import { transposeConfig } from './transpose.ts';
import { sumConfig } from './sum.ts';
import { rememberStockKernel } from './kernel-utils.ts';
import { batchNormActTrainConfig } from './batch-norm-act-train.ts';
import { batchNormActTrainGradConfig } from './batch-norm-act-train-grad.ts';
import { cpuBatchNormActTrainConfig } from '../cpu-kernels/batch-norm-act-train.ts';
import { cpuBatchNormActTrainGradConfig } from '../cpu-kernels/batch-norm-act-train-grad.ts';
import { yoloDecodeConfig } from './yolo-decode.ts';
import { concatConfig } from './concat.ts';
import { spaceToDepthConfig } from './space-to-depth.ts';
import { upsampleAddConfig } from './upsample-add.ts';
import { pointwiseConcatConfig } from './pointwise-concat.ts';

/** Kernels the stock backends lack (and the engine's own fused ones); registered only when missing. */
const MISSING_KERNELS: KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
  // The engine's own fused batch norm + activation (batch-norm/batch-norm-act.ts).
  batchNormActTrainConfig,
  batchNormActTrainGradConfig,
  cpuBatchNormActTrainConfig,
  cpuBatchNormActTrainGradConfig,
  // The engine's fused YOLO decoding (yolo-decode/kernel-name.ts).
  yoloDecodeConfig,
  // Focus's space-to-depth in one pass (space-to-depth/kernel-name.ts).
  spaceToDepthConfig,
  // A head's upsample + add + activation in one pass (upsample-add/kernel-name.ts).
  upsampleAddConfig,
  // 1x1 convolutions written into one concatenation (pointwise-concat/kernel-name.ts).
  pointwiseConcatConfig,
];

/**
 * Stock kernels ours replace: wasm Conv2DBackpropInput (a scalar loop, ~10x slower than ours),
 * wasm Transpose (strided C++ loop, ~25 ns per element on large tensors), wasm Sum (transposes
 * first when reducing leading axes), wasm Conv2D / FusedConv2D (1x1 stride 1 only: a SIMD GEMM
 * faster than XNNPACK's), wasm Concat (innermost axis: bulk copies instead of a JS loop per row)
 * and cpu ResizeNearestNeighborGrad (wrong for batch > 1).
 * The stock wasm kernels are remembered: ours hand them the cases they do not cover.
 */
const REPLACED_KERNELS: KernelConfig[] = [
  conv2DBackpropInputConfig,
  cpuResizeNearestNeighborGradConfig,
  transposeConfig,
  sumConfig,
  conv2DConfig,
  fusedConv2DConfig,
  concatConfig,
];

/** `backend/kernel` of every kernel this module supplies. */
export const TRAINING_KERNELS: readonly string[] = [...MISSING_KERNELS, ...REPLACED_KERNELS].map((k) => `${k.backendName}/${k.kernelName}`);

/** Names of the kernels supplied on wasm. */
export const WASM_TRAINING_KERNELS: readonly string[] = [...MISSING_KERNELS, ...REPLACED_KERNELS]
  .filter((k) => k.backendName === 'wasm')
  .map((k) => k.kernelName);

/**
 * Registers the training kernels with tfjs (idempotent; safe before or after the backends are
 * initialised, because none of them needs a setup step). Importing `@distillery/models` already
 * does this; call it again only if a backend package was loaded after that and overwrote ours.
 * Returns `backend/kernel` of those newly registered.
 */
export function registerTrainingKernels(): string[] {
  const registered: string[] = [];
  for (const config of MISSING_KERNELS) {
    if (getKernel(config.kernelName, config.backendName) !== undefined) continue;
    registerKernel(config);
    registered.push(`${config.backendName}/${config.kernelName}`);
  }
  for (const config of REPLACED_KERNELS) {
    const current = getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) {
      if (config.backendName === 'wasm') rememberStockKernel(current);
      unregisterKernel(config.kernelName, config.backendName);
    }
    registerKernel(config);
    registered.push(`${config.backendName}/${config.kernelName}`);
  }
  return registered;
}

/** Same as registerTrainingKernels (kept for the contract's name). */
export const registerWasmTrainingKernels = registerTrainingKernels;
