// initEngine: backend order, reasons for skipped backends, clear errors, idempotence, env override,
// and a worker thread initialising its own backend.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINE_BACKENDS, EngineError } from '../src/index.ts';
import { formatEngineChoice, initEngine, probeBackends } from '../src/node.ts';

const savedEnv = process.env.DISTILLERY_BACKEND;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.DISTILLERY_BACKEND;
  else process.env.DISTILLERY_BACKEND = savedEnv;
});

describe('initEngine', () => {
  it('auto picks the first backend that loads and says why each earlier one was skipped', async () => {
    delete process.env.DISTILLERY_BACKEND;
    const { available } = await probeBackends();
    const choice = await initEngine({ backend: 'auto' });
    expect(choice.backend).toBe(available[0]);
    const earlier = ENGINE_BACKENDS.slice(0, ENGINE_BACKENDS.indexOf(choice.backend));
    expect(choice.skipped.map((s) => s.name)).toEqual(earlier);
    for (const s of choice.skipped) expect(s.why.length).toBeGreaterThan(10);
    expect(formatEngineChoice(choice)).toContain(choice.backend);
    // wasm and cpu ship with the workspace, so auto never falls below wasm.
    expect(['tensorflow-gpu', 'tensorflow', 'wasm']).toContain(choice.backend);
  });

  it('is idempotent and switches backend on request', async () => {
    const cpu = await initEngine({ backend: 'cpu' });
    expect(await initEngine({ backend: 'cpu' })).toEqual(cpu);
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await initEngine({ backend: 'wasm' });
    expect(wasm.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(wasm.reason).toMatch(/training kernels/);
  });

  it('honours DISTILLERY_BACKEND when no backend is passed', async () => {
    process.env.DISTILLERY_BACKEND = 'cpu';
    const choice = await initEngine();
    expect(choice.backend).toBe('cpu');
    expect(choice.reason).toMatch(/DISTILLERY_BACKEND/);
  });

  it('rejects an unknown backend, listing the available ones', async () => {
    const error = await initEngine({ backend: 'tpu' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(String(error)).toMatch(/unknown backend "tpu"/);
    expect(String(error)).toMatch(/available backends: .*wasm.*cpu/);
  });

  it('rejects a requested backend that does not load, saying why and what is available', async () => {
    const { unavailable } = await probeBackends();
    if (unavailable.length === 0) return; // every backend loads on this machine: nothing to refuse
    const missing = unavailable[0];
    const error = await initEngine({ backend: missing.name }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(String(error)).toContain(`backend "${missing.name}" is not available`);
    expect(String(error)).toContain(missing.why);
    expect(String(error)).toMatch(/available backends: .*wasm/);
  });

  it('initialises its own backend in a worker thread and trains there', async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const nodeEntry = pathToFileURL(path.resolve(here, '../src/node.ts')).href;
    const require = createRequire(import.meta.url);
    // tsx's ESM API by absolute path (a data: URL worker cannot resolve bare specifiers).
    const tsxApi = pathToFileURL(path.join(path.dirname(require.resolve('tsx/esm/api')), 'index.mjs')).href;
    const tfCore = pathToFileURL(require.resolve('@tensorflow/tfjs-core')).href;
    // A worker has its own module instances: it must (and can) call initEngine itself. Node 20 does
    // not run tsx's loader hooks in workers, so the worker loads our TypeScript with tsImport.
    const code = `
      import { parentPort } from 'node:worker_threads';
      try {
        const { tsImport } = await import(${JSON.stringify(tsxApi)});
        const { initEngine } = await tsImport(${JSON.stringify(nodeEntry)}, ${JSON.stringify(nodeEntry)});
        const tf = await import(${JSON.stringify(tfCore)});
        const choice = await initEngine({ backend: 'wasm' });
        const x = tf.ones([1, 5, 5, 2]);
        const w = tf.variable(tf.ones([3, 3, 2, 1]));
        const { grads } = tf.variableGrads(() => tf.sum(tf.conv2d(x, w, 1, 'same')), [w]);
        parentPort.postMessage({ backend: choice.backend, tfBackend: tf.getBackend(), grad: Array.from(grads[w.name].dataSync()) });
      } catch (e) {
        parentPort.postMessage({ error: String((e && e.stack) || e) });
      }
    `;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
    const message = await new Promise<{ backend?: string; tfBackend?: string; grad?: number[]; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(message.error).toBeUndefined();
    expect(message.backend).toBe('wasm');
    expect(message.tfBackend).toBe('wasm');
    // d/dw of sum(conv(ones, w)) with 'same' padding on 5x5 per channel: corner taps see 4x4=16 pixels, edges 20, centre 25.
    expect(message.grad?.filter((_, i) => i % 2 === 0)).toEqual([16, 20, 16, 20, 25, 20, 16, 20, 16]);
  }, 30_000);
});
