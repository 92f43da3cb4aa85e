/** Model checkpoint files (Node only). */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeModelCheckpoint, loadModelCheckpoint, type LoadedCheckpoint, type ModelCheckpointMeta } from './checkpoint.ts';
import type { YoloModel } from '../zoo/yolo-model.ts';

export async function writeModelCheckpointFile(file: string, model: YoloModel, meta: Partial<ModelCheckpointMeta> = {}): Promise<number> {
  const bytes = encodeModelCheckpoint(model, meta);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
  return bytes.byteLength;
}

export async function readModelCheckpointFile(file: string, options: { scope?: string } = {}): Promise<LoadedCheckpoint> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new Error(`${file}: cannot read checkpoint (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return loadModelCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file, options);
}
