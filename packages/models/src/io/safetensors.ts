/**
 * safetensors codec, pure TypeScript (no tfjs, no Node APIs), so the browser can read checkpoints too.
 *
 * Layout: u64 little-endian header length N, N bytes of UTF-8 JSON (padded with spaces to a multiple
 * of 8), then the raw little-endian tensor data. Header entries are
 * `{dtype, shape, data_offsets: [begin, end]}` relative to the first data byte; `__metadata__` is a
 * string→string map.
 */

export type SafeDType = 'F32' | 'F16' | 'I64' | 'I32' | 'U8' | 'BOOL' | 'F64';

export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  /** Values decoded to float32 (F16/F32/F64) or int32 (I32/I64/U8/BOOL; I64 must fit in 53 bits). */
  data: Float32Array | Int32Array;
}

export interface SafeFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<SafeDType, number> = { F32: 4, F16: 2, I64: 8, I32: 4, U8: 1, BOOL: 1, F64: 8 };

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** IEEE half → float32, exact. */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Parses a safetensors buffer. `source` names the file in error messages. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): SafeFile {
  if (bytes.byteLength < 8) throw new SafetensorsError(`${source}: file is ${bytes.byteLength} bytes, too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > bytes.byteLength - 8) {
    throw new SafetensorsError(`${source}: header length ${headerLen} exceeds the file size ${bytes.byteLength} (truncated file?)`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen))) as Record<string, unknown>;
  } catch (e) {
    throw new SafetensorsError(`${source}: header is not valid JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + headerLen;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets } = entry as { dtype: SafeDType; shape: number[]; data_offsets: [number, number] };
    if (!(dtype in BYTES)) throw new SafetensorsError(`${source}: tensor '${name}' has unsupported dtype ${String(dtype)}`);
    const count = shape.reduce((a, b) => a * b, 1);
    const [begin, end] = data_offsets;
    if (end - begin !== count * BYTES[dtype]) {
      throw new SafetensorsError(`${source}: tensor '${name}' spans ${end - begin} bytes, shape [${shape.join(', ')}] ${dtype} needs ${count * BYTES[dtype]}`);
    }
    if (dataStart + end > bytes.byteLength) {
      throw new SafetensorsError(`${source}: tensor '${name}' ends past the end of the file (truncated file?)`);
    }
    const at = bytes.byteOffset + dataStart + begin;
    const raw = new DataView(bytes.buffer, at, end - begin);
    let data: Float32Array | Int32Array;
    switch (dtype) {
      case 'F32':
        data = new Float32Array(count);
        for (let i = 0; i < count; i++) data[i] = raw.getFloat32(i * 4, true);
        break;
      case 'F64':
        data = new Float32Array(count);
        for (let i = 0; i < count; i++) data[i] = raw.getFloat64(i * 8, true);
        break;
      case 'F16':
        data = new Float32Array(count);
        for (let i = 0; i < count; i++) data[i] = f16ToF32(raw.getUint16(i * 2, true));
        break;
      case 'I64':
        data = new Int32Array(count);
        for (let i = 0; i < count; i++) data[i] = Number(raw.getBigInt64(i * 8, true));
        break;
      case 'I32':
        data = new Int32Array(count);
        for (let i = 0; i < count; i++) data[i] = raw.getInt32(i * 4, true);
        break;
      case 'U8':
      case 'BOOL':
        data = Int32Array.from(new Uint8Array(bytes.buffer, at, count));
        break;
    }
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}

export interface TensorToWrite {
  shape: number[];
  data: Float32Array | Int32Array;
  /** Default: F32 for Float32Array, I64 for Int32Array (as PyTorch writes counters). */
  dtype?: 'F32' | 'I64' | 'I32';
}

/** Serialises tensors (in insertion order) and string metadata to a safetensors buffer. */
export function encodeSafetensors(tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>, metadata: Record<string, string> = {}): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const plan = entries.map(([name, t]) => {
    const dtype = t.dtype ?? (t.data instanceof Float32Array ? 'F32' : 'I64');
    const size = t.data.length * BYTES[dtype];
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
    return { t, dtype, begin: offset - size };
  });
  let json = JSON.stringify(header);
  const pad = (8 - (new TextEncoder().encode(json).length % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  const base = 8 + headerBytes.length;
  for (const { t, dtype, begin } of plan) {
    for (let i = 0; i < t.data.length; i++) {
      const at = base + begin + i * BYTES[dtype];
      if (dtype === 'F32') view.setFloat32(at, t.data[i], true);
      else if (dtype === 'I32') view.setInt32(at, t.data[i], true);
      else view.setBigInt64(at, BigInt(Math.trunc(t.data[i])), true);
    }
  }
  return out;
}
