/** Minimal F32-only safetensors reader for tests (the eval package must not depend on models). */
import { readFileSync } from 'node:fs';

export function readF32Safetensors(file: string): Map<string, { shape: number[]; data: Float32Array }> {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__' || t.dtype !== 'F32') continue;
    const [b, e] = t.data_offsets;
    const copy = new Uint8Array(bytes.subarray(8 + n + b, 8 + n + e));
    out.set(name, { shape: t.shape, data: new Float32Array(copy.buffer) });
  }
  return out;
}
