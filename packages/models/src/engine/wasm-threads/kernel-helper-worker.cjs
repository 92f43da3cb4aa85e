// A helper thread of our SIMD kernels (see kernel-helpers.ts): instantiates the kernels on the
// shared heap it is given and runs the calls posted in its slot of the control block, forever.
// Plain CommonJS so that it starts without a TypeScript loader.
/* global require, process, WebAssembly -- a CommonJS worker entry in Node */
/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const { workerData } = require('node:worker_threads');

const { memory, modules, exportNames, control, slot, layout } = workerData;
const words = new Int32Array(control);
const numbers = new Float64Array(control);
const base = slot * layout.slotWords;
const state = base + layout.state;
const instances = new Map();

function exportOf(kernelIndex, exportIndex) {
  let exports = instances.get(kernelIndex);
  if (exports === undefined) {
    exports = new WebAssembly.Instance(modules[kernelIndex], { env: { memory } }).exports;
    instances.set(kernelIndex, exports);
  }
  return exports[exportNames[kernelIndex][exportIndex]];
}

for (;;) {
  Atomics.wait(words, state, layout.idle);
  const now = Atomics.load(words, state);
  if (now === layout.stop) break;
  if (now !== layout.posted) continue;
  let outcome = layout.done;
  try {
    const count = words[base + layout.argCount];
    const args = [];
    for (let i = 0; i < count; i++) args.push(numbers[(base + layout.args) / 2 + i]);
    exportOf(words[base + layout.kernel], words[base + layout.export])(...args);
  } catch (e) {
    outcome = layout.failed;
    process.stderr.write(`SIMD helper thread ${slot}: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  Atomics.store(words, state, outcome);
  Atomics.notify(words, state);
}
