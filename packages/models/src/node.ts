// @distillery/models/node: the Node-only half (file I/O). The main entry stays browser-safe.
import { readFile } from 'node:fs/promises';
import { decodeSafetensors, type SafeFile } from './io/safetensors.ts';

/** Reads and decodes a safetensors file; errors name the path. */
export async function readSafetensorsFile(path: string): Promise<SafeFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read safetensors file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

// The engine: backend choice (imports optional native packages, so Node only).
export { initEngine, formatEngineChoice, probeBackends, type EngineChoice, type InitEngineOptions, type SkippedBackend } from './engine/init-engine.ts';
