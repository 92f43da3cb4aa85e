// initEngine: picks and initialises the tfjs backend for this thread (Node only: it imports optional
// native packages). Order unless told otherwise: tfjs-node-gpu → tfjs-node → wasm → cpu.
// Each worker thread has its own module instances, so each thread calls initEngine for itself.
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { ENGINE_BACKENDS, EngineError, isEngineBackend, type EngineBackend, type EngineBackendRequest } from './backends.ts';
import { registerTrainingKernels } from './wasm-kernels/index.ts';
import { registerThreadedWasmBackend } from './wasm-threads/threaded-wasm.ts';
import { alignHeapAllocations, type HeapAllocator } from './simd/aligned-heap.ts';
import './index.ts'; // gradients and training kernels, registered on import

export interface SkippedBackend {
  name: EngineBackend;
  why: string;
}

export interface EngineChoice {
  /** The engine backend in use. */
  backend: EngineBackend;
  /** Why it was chosen (and what it runs on). */
  reason: string;
  /** Backends tried before it, or not tried, and why. */
  skipped: SkippedBackend[];
  /** Threads one computation runs on (wasm: its pool; native backends choose their own). */
  threads?: number;
}

export interface InitEngineOptions {
  /** Backend to use; default: `DISTILLERY_BACKEND`, else `auto`. */
  backend?: EngineBackendRequest | string;
  /**
   * Threads for one computation on the wasm backend (XNNPACK's pool and our kernels' helpers):
   * a positive integer or `auto`; default `DISTILLERY_THREADS`, else `auto` = every core in the
   * main thread and 1 in a worker thread (the trainer's worker pools already split the cores).
   * Fixed by the first wasm initialisation of a thread.
   */
  threads?: number | 'auto' | string;
  /** Receives a human-readable summary of the choice (e.g. `console.error`). */
  log?: (line: string) => void;
}

/** Loads one backend into tfjs and makes it current; throws with a one-line reason when it cannot. */
type Loader = (threads: number) => Promise<string>;

/** The thread count an `InitEngineOptions.threads` value asks for. */
export function resolveThreads(request: number | string | undefined): number {
  const value = typeof request === 'string' ? request.trim() : request;
  if (value === undefined || value === 'auto' || value === '') return isMainThread ? availableParallelism() : 1;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1) throw new EngineError(`threads: "${String(request)}" is not a positive integer or "auto"`);
  return n;
}

/** The first line of an error message: native-addon errors run over many lines of advice. */
function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown error';
}

/**
 * Imports a native tfjs-node package. Its module name is a variable so that TypeScript and bundlers
 * do not require the optional package; on machines where its install script could not download
 * libtensorflow the import throws "native addon module ... can not be found", which we report.
 */
async function loadNative(packageName: string, hardware: string): Promise<string> {
  // Both native packages register ~150 'tensorflow' kernels on import, before loading the addon;
  // importing the second after the first failed would warn once per kernel, so warnings are muted.
  const wasProd = tf.env().getBool('PROD');
  tf.env().set('PROD', true);
  try {
    await import(packageName);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new Error(`${packageName} is not installed`);
    if (/native addon module.*can not be found/i.test(firstLine(e))) {
      throw new Error(`${packageName} is installed without its native addon (its install script must download libtensorflow, which failed or was not allowed)`);
    }
    throw new Error(`${packageName} failed to load: ${firstLine(e)}`);
  } finally {
    tf.env().set('PROD', wasProd);
  }
  // The native package registers 'tensorflow' with ITS copy of tfjs-core; if that is not ours, it is useless here.
  if (tf.findBackendFactory('tensorflow') === null) {
    throw new Error(`${packageName} loaded but registered its backend with another copy of @tensorflow/tfjs-core`);
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${packageName} loaded but its backend failed to initialise`);
  return `${packageName} (libtensorflow, ${hardware})`;
}

/** Threads the wasm backend of this JS thread was started with (undefined: not started). */
let wasmThreads: number | undefined;
/** The pool size the wasm backend reports (1 where the threaded build did not start). */
let wasmPool = 1;

async function loadWasm(threads: number): Promise<string> {
  await import('@tensorflow/tfjs-backend-wasm');
  registerTrainingKernels();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  let pool = 1;
  let note = '';
  if (threads > 1 && simd) {
    try {
      pool = await registerThreadedWasmBackend(threads);
    } catch (e) {
      note = `; threaded build failed (${firstLine(e)}), single-threaded instead`;
    }
  }
  if (pool === 1 && !(await tf.setBackend('wasm'))) throw new Error('@tensorflow/tfjs-backend-wasm failed to initialise (see the warning above)');
  // Before any model allocates its weights.
  alignHeapAllocations((tf.backend() as unknown as { wasm: HeapAllocator }).wasm);
  wasmThreads = threads;
  wasmPool = pool;
  const threading = pool > 1 ? `${pool} threads` : 'single-threaded';
  return `@tensorflow/tfjs-backend-wasm (XNNPACK, ${simd ? 'SIMD' : 'no SIMD'}, ${threading}${note}; training kernels registered)`;
}

async function loadCpu(): Promise<string> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('@tensorflow/tfjs-backend-cpu failed to initialise');
  return '@tensorflow/tfjs-backend-cpu (pure JavaScript, slow)';
}

const LOADERS: Record<EngineBackend, Loader> = {
  'tensorflow-gpu': () => loadNative('@tensorflow/tfjs-node-gpu', 'CUDA GPU'),
  tensorflow: () => loadNative('@tensorflow/tfjs-node', 'CPU'),
  wasm: loadWasm,
  cpu: loadCpu,
};

/** Which tf backend name each engine backend runs as. */
const TF_BACKEND_NAME: Record<EngineBackend, string> = { 'tensorflow-gpu': 'tensorflow', tensorflow: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

/** Results of earlier load attempts in this thread: loading is expensive and its outcome does not change. */
const attempts = new Map<EngineBackend, Promise<{ ok: true; description: string } | { ok: false; why: string }>>();

function attempt(name: EngineBackend, threads: number) {
  let result = attempts.get(name);
  if (result === undefined) {
    result = LOADERS[name](threads).then(
      (description) => ({ ok: true as const, description }),
      (e: unknown) => ({ ok: false as const, why: firstLine(e) }),
    );
    attempts.set(name, result);
  }
  return result;
}

/**
 * Which backends load on this machine (tries each; cached). Leaves the current backend as it was.
 * Trying wasm starts it, with `threads` (as initEngine's option) unless it already runs.
 */
export async function probeBackends(options: Pick<InitEngineOptions, 'threads'> = {}): Promise<{ available: EngineBackend[]; unavailable: SkippedBackend[] }> {
  const before = tf.getBackend() as string | undefined;
  const available: EngineBackend[] = [];
  const unavailable: SkippedBackend[] = [];
  const threads = wasmThreads ?? resolveThreads(options.threads ?? process.env.DISTILLERY_THREADS);
  for (const name of ENGINE_BACKENDS) {
    const result = await attempt(name, threads);
    if (result.ok) available.push(name);
    else unavailable.push({ name, why: result.why });
  }
  if (before !== undefined) await tf.setBackend(before);
  return { available, unavailable };
}

async function availabilityLine(): Promise<string> {
  const { available, unavailable } = await probeBackends();
  const missing = unavailable.map((u) => `${u.name} (${u.why})`).join('; ');
  return `available backends: ${available.join(', ') || 'none'}${missing ? `; unavailable: ${missing}` : ''}`;
}

let current: EngineChoice | undefined;

/**
 * Chooses and initialises the tfjs backend. Idempotent: a second call with the same request returns
 * the same choice; a different request switches backend. Throws EngineError for an unknown name or
 * a requested backend that does not load, listing the backends that do.
 */
export async function initEngine(options: InitEngineOptions = {}): Promise<EngineChoice> {
  const requested = (options.backend ?? process.env.DISTILLERY_BACKEND ?? 'auto').trim();
  if (requested !== 'auto' && !isEngineBackend(requested)) {
    throw new EngineError(`unknown backend "${requested}": use one of auto, ${ENGINE_BACKENDS.join(', ')}; ${await availabilityLine()}`);
  }
  const threadsAsked = options.threads ?? process.env.DISTILLERY_THREADS;
  // Unasked, a thread whose wasm backend already runs keeps its pool.
  const threads = threadsAsked === undefined && wasmThreads !== undefined ? wasmThreads : resolveThreads(threadsAsked);
  let choice: EngineChoice | undefined;
  if (requested !== 'auto') {
    const result = await attempt(requested, threads);
    if (!result.ok) throw new EngineError(`backend "${requested}" is not available: ${result.why}; ${await availabilityLine()}`);
    const source = options.backend !== undefined ? 'requested' : 'requested by DISTILLERY_BACKEND';
    choice = { backend: requested, reason: `${source}: ${result.description}`, skipped: [] };
  } else {
    const skipped: SkippedBackend[] = [];
    for (const name of ENGINE_BACKENDS) {
      const result = await attempt(name, threads);
      if (!result.ok) {
        skipped.push({ name, why: result.why });
        continue;
      }
      choice = { backend: name, reason: `auto: first backend that loads: ${result.description}`, skipped };
      break;
    }
    if (choice === undefined) throw new EngineError(`no backend could be loaded: ${skipped.map((s) => `${s.name} (${s.why})`).join('; ')}`);
  }
  if (choice.backend === 'wasm' && wasmThreads !== undefined && wasmThreads !== threads) {
    throw new EngineError(`the wasm backend of this thread already runs with ${wasmThreads} thread(s), not ${threads}: the count is fixed when it starts`);
  }
  // A cached attempt may have loaded earlier while another backend was made current since.
  if (tf.getBackend() !== TF_BACKEND_NAME[choice.backend]) await tf.setBackend(TF_BACKEND_NAME[choice.backend]);
  await tf.ready();
  if (choice.backend === 'wasm') choice.threads = wasmPool;
  else if (choice.backend === 'cpu') choice.threads = 1;
  if (current?.backend !== choice.backend || current.reason !== choice.reason) current = choice;
  options.log?.(formatEngineChoice(current));
  return current;
}

/** A short human-readable account of the choice, one line per backend. */
export function formatEngineChoice(choice: EngineChoice): string {
  const lines = [`engine: ${choice.backend} — ${choice.reason}`];
  for (const s of choice.skipped) lines.push(`  skipped ${s.name}: ${s.why}`);
  return lines.join('\n');
}
