import { readFile } from 'node:fs/promises';
import { decodeSafetensors, type SafeFile } from './safetensors.ts';

/** Reads and decodes a safetensors file; errors name the path. (Node only.) */
export async function readSafetensorsFile(path: string): Promise<SafeFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read safetensors file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
