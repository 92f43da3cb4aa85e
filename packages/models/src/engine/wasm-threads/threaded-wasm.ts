// The multi-threaded build of the tfjs wasm backend (XNNPACK on a pthreads pool) in Node, where
// tfjs itself cannot start it: tfjs hands emscripten its worker script and main script as blob:
// URLs, which Node's worker_threads reject. Here emscripten gets real files instead (our
// pthread-worker.cjs and the package's own threaded-simd.js), and the module is given to tfjs's
// BackendWasm under the usual 'wasm' name, so every wasm kernel (stock and ours) runs on it.
// Node only (files, worker_threads); the browser build of tfjs starts its own threaded build.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { setSimdHelpers, type WasmMemory } from '../simd/simd-module.ts';
import { startKernelHelpers } from './kernel-helpers.ts';

const require = createRequire(import.meta.url);
const WASM_OUT = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
const MAIN_SCRIPT = path.join(WASM_OUT, 'tfjs-backend-wasm-threaded-simd.js');
const WASM_BINARY = path.join(WASM_OUT, 'tfjs-backend-wasm-threaded-simd.wasm');
const PTHREAD_WORKER = fileURLToPath(new URL('./pthread-worker.cjs', import.meta.url));
/** The priority tfjs-backend-wasm registers its backend with. */
const WASM_PRIORITY = 2;

type CWrap = (name: string, returns: string | null, args: string[]) => (...args: number[]) => number;

/** What we use of the emscripten module (tfjs's BackendWasm uses the rest). */
interface ThreadedModule {
  cwrap: CWrap;
  /** The shared heap (the threaded build creates it in JS). */
  wasmMemory?: WasmMemory;
  tfjs?: Record<string, (...args: number[]) => number>;
  /** emscripten's pthreads bookkeeping: workers started but not running a thread. */
  PThread?: { unusedWorkers?: { terminate(): unknown }[]; runningWorkers?: { unref(): unknown }[] };
}

interface FactoryConfig {
  locateFile(file: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
  instantiateWasm(imports: { env: Record<string, unknown> }, receive: (instance: object, module: object) => void): object;
  onAbort(what: unknown): void;
}

type Factory = (config: FactoryConfig) => Promise<ThreadedModule>;

// WebAssembly as used here (the project's TS libs do not declare it).
const wasmApi = (globalThis as unknown as { WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object; module: object }> } }).WebAssembly;

async function startModule(threads: number): Promise<ThreadedModule> {
  const factory = require(MAIN_SCRIPT) as Factory;
  let aborted: unknown;
  const module = await factory({
    locateFile: (file, prefix) => (file.endsWith('.worker.js') ? PTHREAD_WORKER : file.endsWith('.wasm') ? WASM_BINARY : prefix + file),
    // Each pthread worker evaluates this script to build its side of the module.
    mainScriptUrlOrBlob: MAIN_SCRIPT,
    instantiateWasm(imports, receive) {
      // The module caps its pool at half the logical cores it is told of (at static initialisation);
      // report enough cores for the requested pool.
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      wasmApi.instantiate(readFileSync(WASM_BINARY), imports).then(
        (result) => receive(result.instance, result.module),
        (e: unknown) => (aborted = e),
      );
      return {};
    },
    onAbort: (what) => (aborted = what),
  });
  if (aborted !== undefined) throw new Error(`the threaded wasm module failed to start: ${String(aborted)}`);
  // The same bridge tfjs's own init() builds.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/**
 * Registers tfjs's 'wasm' backend on the threaded build with a pool of `threads` threads (the
 * calling thread included). Call before the 'wasm' backend is first used. Returns the pool size
 * the module reports.
 */
export async function registerThreadedWasmBackend(threads: number): Promise<number> {
  const module = await startModule(threads);
  setThreadsCount(threads);
  let backend: BackendWasm | undefined;
  // tfjs's own factory, put back if ours fails (the caller then starts the single-threaded build).
  const stock = tf.findBackendFactory('wasm');
  if (stock !== null) tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    () => {
      backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
      // emscripten starts 8 workers up front; the pool took what it needs, the rest only hold memory.
      for (const worker of module.PThread?.unusedWorkers?.splice(0) ?? []) void worker.terminate();
      // emscripten keeps a worker that runs a pthread referenced, and XNNPACK's pool threads run for
      // good: without this the process would never exit on its own.
      for (const worker of module.PThread?.runningWorkers ?? []) worker.unref();
      return backend;
    },
    WASM_PRIORITY,
  );
  if (!(await tf.setBackend('wasm')) || backend === undefined) {
    tf.removeBackend('wasm');
    if (stock !== null) tf.registerBackend('wasm', stock, WASM_PRIORITY);
    throw new Error('the threaded wasm backend failed to initialise');
  }
  const pool = module.tfjs?.getThreadsCount?.() ?? 1;
  // Our SIMD kernels get as many threads: the caller and pool − 1 helpers on the same heap.
  if (module.wasmMemory !== undefined) setSimdHelpers(startKernelHelpers(module.wasmMemory, pool - 1));
  return pool;
}
