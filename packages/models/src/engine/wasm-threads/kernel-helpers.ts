// Helper threads for our SIMD kernels on the threaded build's shared heap: the wasm backend's
// XNNPACK kernels run on its own pthreads pool, ours would otherwise run on the calling thread
// only. Each helper is a worker_thread with its own instances of the kernels on the same memory;
// a call is handed over through a SharedArrayBuffer (arguments + a state word, Atomics.wait/notify),
// not a message, so handing a part of a convolution to a helper costs microseconds.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { SIMD_BINARIES, type SimdKernelName } from '../simd/simd-binaries.ts';
import { sharedSimdModules, type SimdHelpers, type WasmMemory, type WasmModule } from '../simd/simd-module.ts';

const WORKER = fileURLToPath(new URL('./kernel-helper-worker.cjs', import.meta.url));

/** The control block: one slot of 32-bit words per helper (arguments as float64 pairs). */
const LAYOUT = {
  slotWords: 64,
  state: 0,
  kernel: 1,
  export: 2,
  argCount: 3,
  /** Word offset of the float64 arguments (even, so they are 8-byte aligned). */
  args: 4,
  maxArgs: 30,
  // state values
  idle: 0,
  posted: 1,
  done: 2,
  failed: 3,
  stop: 4,
} as const;

/** How long a wait may take before a helper is declared lost (a kernel call takes milliseconds). */
const LOST_AFTER_MS = 60_000;

// WebAssembly.Module.exports, as used here (the project's TS libs do not declare WebAssembly).
const moduleExports = (module: WasmModule): string[] =>
  (globalThis as unknown as { WebAssembly: { Module: { exports(m: WasmModule): { name: string }[] } } }).WebAssembly.Module.exports(module).map((e) => e.name);

class KernelHelpers implements SimdHelpers {
  private readonly size: number;
  /** Why the helpers stopped working (a worker failed or exited); calls then run on the caller alone. */
  private broken?: string;
  private readonly words: Int32Array;
  private readonly numbers: Float64Array;
  private readonly workers: Worker[];
  private readonly kernelIndex = new Map<SimdKernelName, number>();
  private readonly exportIndex: Map<string, number>[] = [];
  private running = 0;

  constructor(
    readonly memory: WasmMemory,
    count: number,
    modules: Record<SimdKernelName, WasmModule>,
  ) {
    this.size = count;
    const control = new SharedArrayBuffer(4 * LAYOUT.slotWords * count);
    this.words = new Int32Array(control);
    this.numbers = new Float64Array(control);
    const names = Object.keys(SIMD_BINARIES) as SimdKernelName[];
    const exportNames = names.map((name) => moduleExports(modules[name]));
    names.forEach((name, i) => {
      this.kernelIndex.set(name, i);
      this.exportIndex.push(new Map(exportNames[i].map((e, j) => [e, j])));
    });
    this.workers = Array.from({ length: count }, (_, slot) => {
      const worker = new Worker(WORKER, {
        workerData: { memory, modules: names.map((n) => modules[n]), exportNames, control, slot, layout: LAYOUT },
        // Plain JS: no TypeScript loader needed in the helper.
        execArgv: [],
      });
      // Helpers block in Atomics.wait between calls; they must not keep the process alive.
      worker.unref();
      const lose = (why: string) => {
        if (this.broken !== undefined) return;
        this.broken = why;
        process.stderr.write(`SIMD helper thread ${slot}: ${why}; its kernels run on one thread from now on\n`);
      };
      worker.on('error', (e: Error) => lose(e.message));
      worker.on('exit', (code) => lose(`exited with code ${code}`));
      return worker;
    });
  }

  /** Helpers available for a split call (none once one was lost). */
  get count(): number {
    return this.broken === undefined ? this.size : 0;
  }

  start(kernel: SimdKernelName, exportName: string, calls: readonly number[][]): void {
    if (this.running !== 0) throw new Error('SIMD helpers: a split call is already running');
    if (calls.length > this.count) throw new Error(`SIMD helpers: ${calls.length} calls for ${this.count} helpers`);
    const k = this.kernelIndex.get(kernel);
    const e = k === undefined ? undefined : this.exportIndex[k].get(exportName);
    if (k === undefined || e === undefined) throw new Error(`SIMD helpers: no export ${exportName} in kernel ${kernel}`);
    calls.forEach((args, slot) => {
      if (args.length > LAYOUT.maxArgs) throw new Error(`SIMD helpers: ${args.length} arguments (at most ${LAYOUT.maxArgs})`);
      const base = slot * LAYOUT.slotWords;
      this.words[base + LAYOUT.kernel] = k;
      this.words[base + LAYOUT.export] = e;
      this.words[base + LAYOUT.argCount] = args.length;
      this.numbers.set(args, (base + LAYOUT.args) / 2);
      Atomics.store(this.words, base + LAYOUT.state, LAYOUT.posted);
      Atomics.notify(this.words, base + LAYOUT.state);
    });
    this.running = calls.length;
  }

  wait(): void {
    let failed = 0;
    for (let slot = 0; slot < this.running; slot++) {
      const state = slot * LAYOUT.slotWords + LAYOUT.state;
      const deadline = Date.now() + LOST_AFTER_MS;
      while (Atomics.load(this.words, state) === LAYOUT.posted) {
        if (Date.now() > deadline) {
          this.running = 0;
          this.broken = `did not finish a call within ${LOST_AFTER_MS / 1000} s`;
          throw new Error(`SIMD helper thread ${slot} ${this.broken}`);
        }
        Atomics.wait(this.words, state, LAYOUT.posted, 1000);
      }
      if (Atomics.load(this.words, state) === LAYOUT.failed) failed++;
      Atomics.store(this.words, state, LAYOUT.idle);
    }
    this.running = 0;
    if (failed > 0) throw new Error(`SIMD kernels: ${failed} helper thread call(s) failed (see the messages above)`);
  }
}

/**
 * Starts `count` helper threads for the kernels on `memory` (the threaded build's shared heap), or
 * returns undefined where this engine cannot compile the kernels.
 */
export function startKernelHelpers(memory: WasmMemory, count: number): SimdHelpers | undefined {
  if (count < 1) return undefined;
  const modules = sharedSimdModules();
  return modules === undefined ? undefined : new KernelHelpers(memory, count, modules);
}
