// Runs the engine's hand-written WebAssembly SIMD kernels (wat/*.wat, compiled into
// simd-binaries.ts) in place on the tfjs wasm backend's tensors: each kernel is a small module
// that imports the backend's WasmMemory, so it reads and writes tensor data at their
// heap offsets, with no copy. Browser-safe (synchronous compile of modules of ~1 KB).
// The JS loops they replace stay as the fallback: where SIMD is unavailable (an engine without
// wasm SIMD, or the threaded tfjs build, whose memory is shared), when turned off
// (setSimdKernelsEnabled(false), for tests and A/B benchmarks), or on shapes a kernel leaves out.
import { SIMD_BINARIES, type SimdKernelName } from './simd-binaries.ts';
import type { WasmBackendLike } from '../wasm-kernels/kernel-utils.ts';

// The WebAssembly API as used here (the project's TS libs, ES2023 + node, do not declare it).
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: object };
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** What the kernels need of the emscripten module behind the tfjs wasm backend. */
interface EmscriptenHeap {
  asm?: { memory?: WasmMemory };
  _malloc?: (bytes: number) => number;
  _free?: (pointer: number) => void;
}

let enabled = true;

/** Turns the SIMD kernels on or off (off: every kernel takes its JS loop). Returns the previous setting. */
export function setSimdKernelsEnabled(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/** Compiled modules by kernel; null where this engine cannot compile them (no wasm SIMD). */
const compiled = new Map<SimdKernelName, WasmModule | null>();
/** Instances per backend heap (a new backend, e.g. after tf.removeBackend, has a new memory). */
const instances = new WeakMap<WasmMemory, Map<SimdKernelName, object>>();

function compile(name: SimdKernelName): WasmModule | null {
  let module = compiled.get(name);
  if (module === undefined) {
    try {
      if (wasmApi === undefined) throw new Error('no WebAssembly');
      const bytes = Uint8Array.from(atob(SIMD_BINARIES[name]), (ch) => ch.charCodeAt(0));
      module = new wasmApi.Module(bytes);
    } catch {
      module = null;
    }
    compiled.set(name, module);
  }
  return module;
}

function heapOf(backend: WasmBackendLike): { memory: WasmMemory; heap: Required<EmscriptenHeap> } | undefined {
  const heap = (backend as unknown as { wasm?: EmscriptenHeap }).wasm;
  const memory = heap?.asm?.memory;
  if (memory === undefined || heap?._malloc === undefined || heap._free === undefined) return undefined;
  // The threaded build's memory is shared: importing it needs a module declared `shared`.
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) return undefined;
  return { memory, heap: heap as Required<EmscriptenHeap> };
}

/** A SIMD kernel's exports bound to the backend's heap, or undefined (take the JS path). */
export function simdKernel<T>(backend: WasmBackendLike, name: SimdKernelName): SimdHeap<T> | undefined {
  if (!enabled) return undefined;
  const found = heapOf(backend);
  if (found === undefined) return undefined;
  let byName = instances.get(found.memory);
  if (byName === undefined) {
    byName = new Map();
    instances.set(found.memory, byName);
  }
  let exports = byName.get(name);
  if (exports === undefined) {
    const module = compile(name);
    if (module === null || wasmApi === undefined) return undefined;
    exports = new wasmApi.Instance(module, { env: { memory: found.memory } }).exports;
    byName.set(name, exports);
  }
  return new SimdHeap(exports as T, found.memory, found.heap);
}

/** A kernel's exports, with scratch memory on the same heap and views of it. */
export class SimdHeap<T> {
  constructor(
    readonly kernel: T,
    private readonly memory: WasmMemory,
    private readonly heap: Required<EmscriptenHeap>,
  ) {}

  /**
   * Runs `body` with `bytes` of scratch memory (8-byte aligned) on the heap, freed afterwards.
   * Allocating may grow the heap, which detaches views: take views (f32/f64) inside `body`.
   */
  withScratch<R>(bytes: number, body: (pointer: number) => R): R {
    // malloc returns an i32: addresses past 2 GiB come back negative.
    const pointer = this.heap._malloc(Math.max(8, bytes)) >>> 0;
    if (pointer === 0) throw new Error(`wasm heap: cannot allocate ${bytes} bytes of kernel scratch`);
    try {
      return body(pointer);
    } finally {
      this.heap._free(pointer);
    }
  }

  f32(pointer: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, pointer, length);
  }

  f64(pointer: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, pointer, length);
  }
}

/** The heap offset of a tensor's data (from the backend's own view of it). */
export function heapPointer(view: Float32Array): number {
  return view.byteOffset;
}
