// Runs the engine's hand-written WebAssembly SIMD kernels (wat/*.wat, compiled into
// simd-binaries.ts) in place on the tfjs wasm backend's tensors: each kernel is a small module
// that imports the backend's WasmMemory, so it reads and writes tensor data at their
// heap offsets, with no copy. Browser-safe (synchronous compile of modules of ~1 KB).
// The threaded tfjs build's heap is shared memory, which only a module declaring its import shared
// may import: each kernel is compiled both ways (simd-binaries.ts) and picked by the heap it meets.
// The JS loops they replace stay as the fallback: where SIMD is unavailable (an engine without
// wasm SIMD), when turned off
// (setSimdKernelsEnabled(false), for tests and A/B benchmarks), or on shapes a kernel leaves out.
import { SIMD_BINARIES, SIMD_SHARED_BINARIES, type SimdKernelName } from './simd-binaries.ts';
import type { WasmBackendLike } from '../wasm-kernels/kernel-utils.ts';
import { alignHeapAllocations } from './aligned-heap.ts';

// The WebAssembly API as used here (the project's TS libs, ES2023 + node, do not declare it).
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}
export type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: object };
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** What the kernels need of the emscripten module behind the tfjs wasm backend. */
interface EmscriptenHeap {
  asm?: { memory?: WasmMemory };
  /** The threaded build creates its (shared) memory in JS and exports none. */
  wasmMemory?: WasmMemory;
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

/** Compiled modules by kernel and heap kind; null where this engine cannot compile them (no wasm SIMD). */
const compiled = new Map<`${SimdKernelName}:${'plain' | 'shared'}`, WasmModule | null>();
/** Instances per backend heap (a new backend, e.g. after tf.removeBackend, has a new memory). */
const instances = new WeakMap<WasmMemory, Map<SimdKernelName, object>>();

function compile(name: SimdKernelName, shared: boolean): WasmModule | null {
  const key = `${name}:${shared ? 'shared' : 'plain'}` as const;
  let module = compiled.get(key);
  if (module === undefined) {
    try {
      if (wasmApi === undefined) throw new Error('no WebAssembly');
      const bytes = Uint8Array.from(atob((shared ? SIMD_SHARED_BINARIES : SIMD_BINARIES)[name]), (ch) => ch.charCodeAt(0));
      module = new wasmApi.Module(bytes);
    } catch {
      module = null;
    }
    compiled.set(key, module);
  }
  return module;
}

/** Whether a heap is the threaded build's shared memory. */
function isShared(memory: WasmMemory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

function heapOf(backend: WasmBackendLike): { memory: WasmMemory; heap: Required<EmscriptenHeap> } | undefined {
  const heap = (backend as unknown as { wasm?: EmscriptenHeap }).wasm;
  const memory = heap?.asm?.memory ?? heap?.wasmMemory;
  if (memory === undefined || heap?._malloc === undefined || heap._free === undefined) return undefined;
  // A backend started without initEngine (a browser, a test): its tensors from now on.
  alignHeapAllocations(heap);
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
    const module = compile(name, isShared(found.memory));
    if (module === null || wasmApi === undefined) return undefined;
    exports = new wasmApi.Instance(module, { env: { memory: found.memory } }).exports;
    byName.set(name, exports);
  }
  return new SimdHeap(exports as T, found.memory, found.heap, name);
}

/**
 * Helper threads that run kernel calls on a shared heap (engine/wasm-threads/kernel-helpers.ts,
 * Node only): the caller runs one part of a split kernel while the helpers run the others.
 */
export interface SimdHelpers {
  /** The heap the helpers' kernel instances import. */
  readonly memory: WasmMemory;
  /** Helper threads (the calling thread not counted). */
  readonly count: number;
  /** Starts `calls.length` (≤ count) calls of `exportName` of a kernel, one per helper. */
  start(kernel: SimdKernelName, exportName: string, calls: readonly number[][]): void;
  /** Blocks until the started calls are done; throws if one failed. */
  wait(): void;
}

let helpers: SimdHelpers | undefined;

/** Installs (or removes, with undefined) the helper threads of the current shared heap. Returns the previous ones. */
export function setSimdHelpers(h: SimdHelpers | undefined): SimdHelpers | undefined {
  const previous = helpers;
  helpers = h;
  return previous;
}

/** The compiled shared-heap build of every kernel (what helper threads instantiate), or undefined without SIMD. */
export function sharedSimdModules(): Record<SimdKernelName, WasmModule> | undefined {
  const out: Partial<Record<SimdKernelName, WasmModule>> = {};
  for (const name of Object.keys(SIMD_BINARIES) as SimdKernelName[]) {
    const module = compile(name, true);
    if (module === null) return undefined;
    out[name] = module;
  }
  return out as Record<SimdKernelName, WasmModule>;
}

/** A kernel's exports, with scratch memory on the same heap and views of it. */
export class SimdHeap<T> {
  constructor(
    readonly kernel: T,
    /** The heap's memory (what caches of kernel data are kept per). */
    readonly memory: WasmMemory,
    private readonly heap: Required<EmscriptenHeap>,
    private readonly name: SimdKernelName,
  ) {}

  /** Threads a split call can use here: the caller plus the helpers that share this heap. */
  get threads(): number {
    return helpers !== undefined && helpers.memory === this.memory ? helpers.count + 1 : 1;
  }

  /**
   * Runs one call of `exportName` per element of `calls` (independent parts of one computation):
   * the first on this thread, the others on helper threads at the same time, or all here in turn
   * where there are no helpers.
   */
  parallel(exportName: string, calls: readonly number[][]): void {
    const local = (this.kernel as Record<string, (...args: number[]) => void>)[exportName];
    if (calls.length > 1 && this.threads >= calls.length && helpers !== undefined) {
      helpers.start(this.name, exportName, calls.slice(1));
      try {
        local(...calls[0]);
      } finally {
        helpers.wait();
      }
      return;
    }
    for (const args of calls) local(...args);
  }

  /**
   * Runs `body` with `bytes` of scratch memory (8-byte aligned) on the heap, freed afterwards.
   * Allocating may grow the heap, which detaches views: take views (f32/f64) inside `body`.
   */
  withScratch<R>(bytes: number, body: (pointer: number) => R): R {
    const pointer = this.allocate(bytes);
    try {
      return body(pointer);
    } finally {
      this.release(pointer);
    }
  }

  /** `bytes` on the heap that outlive a call (the caller frees them with `release`). */
  allocate(bytes: number): number {
    // malloc returns an i32: addresses past 2 GiB come back negative.
    const pointer = this.heap._malloc(Math.max(8, bytes)) >>> 0;
    if (pointer === 0) throw new Error(`wasm heap: cannot allocate ${bytes} bytes`);
    return pointer;
  }

  release(pointer: number): void {
    this.heap._free(pointer);
  }

  f32(pointer: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, pointer, length);
  }

  f64(pointer: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, pointer, length);
  }
}

/**
 * Splits `total` rows into at most `parts` contiguous ranges for as many threads: every range a whole
 * number of `align`-row blocks (the last takes the remainder and is never smaller than the others),
 * none below `minRows` (a part that small costs more to hand over than it saves) nor below `align`.
 * [start, end) pairs.
 */
export function splitRows(total: number, parts: number, align: number, minRows: number): [number, number][] {
  const n = Math.max(1, Math.min(parts, Math.floor(total / Math.max(minRows, align, 1))));
  const size = Math.floor(total / n / align) * align;
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) out.push([i * size, i === n - 1 ? total : (i + 1) * size]);
  return out;
}

/** The heap offset of a tensor's data (from the backend's own view of it). */
export function heapPointer(view: Float32Array): number {
  return view.byteOffset;
}
