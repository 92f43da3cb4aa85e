// Training kernels for the tfjs `wasm` backend, and fixes to the `cpu` backend's. Browser-safe:
// they only use tfjs-core and the backends' own kernels, so the web app can train on wasm too.
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { cpuResizeNearestNeighborGradConfig } from '../cpu-kernels/resize-nearest-neighbor-grad.ts';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.ts';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-conv2d-backprop-filter.ts';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-conv2d-backprop-input.ts';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.ts';

/** Kernels the stock wasm backend lacks; registered only when missing. */
const MISSING_KERNELS: KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/**
 * Stock kernels ours replace: wasm Conv2DBackpropInput (a scalar loop, ~10x slower than ours) and
 * cpu ResizeNearestNeighborGrad (wrong for batch > 1).
 */
const REPLACED_KERNELS: KernelConfig[] = [conv2DBackpropInputConfig, cpuResizeNearestNeighborGradConfig];

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
    if (current !== undefined) unregisterKernel(config.kernelName, config.backendName);
    registerKernel(config);
    registered.push(`${config.backendName}/${config.kernelName}`);
  }
  return registered;
}

/** Same as registerTrainingKernels (kept for the contract's name). */
export const registerWasmTrainingKernels = registerTrainingKernels;
