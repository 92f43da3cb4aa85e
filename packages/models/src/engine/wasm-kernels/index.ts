// Training kernels for the tfjs `wasm` backend. Browser-safe: they only use tfjs-core and the
// wasm backend's own kernels, so the web app can train on wasm too.
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.ts';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-conv2d-backprop-filter.ts';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-conv2d-backprop-input.ts';

/** Kernels the stock wasm backend lacks; registered only when missing. */
const MISSING_KERNELS: KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
];

/** Kernels the stock wasm backend has but ours beat (stock Conv2DBackpropInput: ~10x slower than ours). */
const REPLACED_KERNELS: KernelConfig[] = [conv2DBackpropInputConfig];

/** Names of every kernel this module supplies on wasm. */
export const WASM_TRAINING_KERNELS: readonly string[] = [...MISSING_KERNELS, ...REPLACED_KERNELS].map((k) => k.kernelName);

/**
 * Registers the wasm training kernels with tfjs (idempotent; safe before or after the wasm backend
 * is initialised, because none of them needs a setup step). Returns the names newly registered.
 */
export function registerWasmTrainingKernels(): string[] {
  const registered: string[] = [];
  for (const config of MISSING_KERNELS) {
    if (getKernel(config.kernelName, 'wasm') !== undefined) continue;
    registerKernel(config);
    registered.push(config.kernelName);
  }
  for (const config of REPLACED_KERNELS) {
    const current = getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
    registered.push(config.kernelName);
  }
  return registered;
}
