/** Exports a module's `state_dict` in PyTorch layout and key order, ready for `encodeSafetensors`. */
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module.ts';
import { encodeSafetensors, type TensorToWrite } from '../io/safetensors.ts';
import { toTorch, torchShape } from './layout.ts';

export function exportTorch(model: Module): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  for (const [key, e] of model.namedEntries()) {
    const t = tf.tidy(() => toTorch(e.tensor, e.layout));
    const data = t.dataSync();
    const shape = torchShape(e.tensor.shape, e.layout);
    out.set(key, e.tensor.dtype === 'int32' ? { shape, data: Int32Array.from(data), dtype: 'I64' } : { shape, data: Float32Array.from(data), dtype: 'F32' });
    if (t !== e.tensor) t.dispose();
  }
  return out;
}

/** Upstream-compatible weights file: F32 tensors, I64 counters, PyTorch names/layouts. */
export function exportTorchSafetensors(model: Module, metadata: Record<string, string> = {}): Uint8Array {
  return encodeSafetensors(exportTorch(model), metadata);
}
