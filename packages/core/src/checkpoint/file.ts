/**
 * Training checkpoints as one safetensors file: the EMA weights under their plain upstream keys (so
 * the file also loads as a model), then `train.model/…`, `train.extra/…`, `optim/<param>/<slot>`,
 * `accum/<param>`, and the position/config as JSON metadata. Written atomically: a temporary file
 * in the same folder, fsync, then rename, so a crash leaves the previous checkpoint intact.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, type TensorToWrite } from '@distillery/models';
import type { OptimizerState } from '../optim/optimizer.ts';
import type { PlainTensor } from '../train/types.ts';
import { CHECKPOINT_FORMAT, type TrainingCheckpoint, type TrainingPosition } from './training-state.ts';

const MODEL = 'train.model/';
const EXTRA = 'train.extra/';
const OPTIM = 'optim/';
const ACCUM = 'accum/';

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

function toWrite(t: PlainTensor): TensorToWrite {
  return { shape: t.shape, data: t.data, dtype: t.dtype === 'int32' ? 'I32' : 'F32' };
}

export function encodeCheckpoint(c: TrainingCheckpoint): Uint8Array {
  const tensors = new Map<string, TensorToWrite>();
  for (const [k, t] of c.ema) tensors.set(k, toWrite(t));
  for (const [k, t] of c.model) tensors.set(MODEL + k, toWrite(t));
  for (const [k, t] of c.extra) tensors.set(EXTRA + k, toWrite(t));
  for (const [k, t] of c.optimizer.slots) tensors.set(OPTIM + k, { shape: t.shape, data: t.data, dtype: 'F32' });
  for (const [k, t] of c.pending) tensors.set(ACCUM + k, { shape: t.shape, data: t.data, dtype: 'F32' });
  const { slots: _slots, ...optimizerMeta } = c.optimizer;
  return encodeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    layout: 'tfjs',
    position: JSON.stringify(c.position),
    optimizer: JSON.stringify(optimizerMeta),
    config: JSON.stringify(c.config),
    model_yaml: c.modelYaml,
    nc: String(c.nc),
    names: JSON.stringify(c.names ?? null),
    img: String(c.img),
  });
}

function plain(dtype: string, shape: number[], data: Float32Array | Int32Array): PlainTensor {
  return dtype === 'F32' || dtype === 'F16' ? { dtype: 'float32', shape, data: data as Float32Array } : { dtype: 'int32', shape, data: data instanceof Int32Array ? data : Int32Array.from(data) };
}

export function decodeCheckpoint(bytes: Uint8Array, source: string): TrainingCheckpoint {
  let file;
  try {
    file = decodeSafetensors(bytes, source);
  } catch (e) {
    throw new CheckpointError(`${source}: not a readable checkpoint (${(e as Error).message})`);
  }
  const meta = file.metadata;
  if (meta.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${source}: not a Distillery training checkpoint (format ${JSON.stringify(meta.format ?? null)}, expected ${CHECKPOINT_FORMAT})`);
  }
  const json = <T>(key: string): T => {
    try {
      return JSON.parse(meta[key] ?? '') as T;
    } catch {
      throw new CheckpointError(`${source}: checkpoint metadata '${key}' is missing or not JSON`);
    }
  };
  const ema = new Map<string, PlainTensor>();
  const model = new Map<string, PlainTensor>();
  const extra = new Map<string, PlainTensor>();
  const slots: OptimizerState['slots'] = new Map();
  const pending = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, t] of file.tensors) {
    if (k.startsWith(MODEL)) model.set(k.slice(MODEL.length), plain(t.dtype, t.shape, t.data));
    else if (k.startsWith(EXTRA)) extra.set(k.slice(EXTRA.length), plain(t.dtype, t.shape, t.data));
    else if (k.startsWith(OPTIM)) slots.set(k.slice(OPTIM.length), { shape: t.shape, data: t.data as Float32Array });
    else if (k.startsWith(ACCUM)) pending.set(k.slice(ACCUM.length), { shape: t.shape, data: t.data as Float32Array });
    else ema.set(k, plain(t.dtype, t.shape, t.data));
  }
  const optimizer = { ...json<Omit<OptimizerState, 'slots'>>('optimizer'), slots };
  return {
    ema,
    model,
    extra,
    optimizer,
    pending,
    position: json<TrainingPosition>('position'),
    config: json<unknown>('config'),
    modelYaml: meta.model_yaml ?? '',
    nc: Number(meta.nc),
    names: json<string[] | null>('names') ?? undefined,
    img: Number(meta.img),
  };
}

export interface WrittenFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** Writes `bytes` to `path` atomically (tmp + fsync + rename). */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<WrittenFile> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  return { path, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export async function writeCheckpoint(path: string, c: TrainingCheckpoint): Promise<WrittenFile> {
  return writeFileAtomic(path, encodeCheckpoint(c));
}

export async function readCheckpoint(path: string): Promise<TrainingCheckpoint> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new CheckpointError(`${path}: cannot read checkpoint (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
