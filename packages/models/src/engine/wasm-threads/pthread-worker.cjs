// Entry point of the threaded tfjs wasm build's pthread workers in Node (see threaded-wasm.ts).
// tfjs ships the worker script only as a string, meant for a blob: URL, which Node's Worker does not
// load; this file runs that string in the worker instead. The string comes from a template literal
// that turned the script's escaped newlines into real ones: re-escape them (as tfjs does for its blob).
/* global require, __filename -- a CommonJS worker entry in Node */
/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const { runInThisContext } = require('node:vm');
const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');

// The script expects CommonJS's require and __filename as globals (it runs as a classic worker script).
globalThis.require = require;
globalThis.__filename = __filename;
runInThisContext(wasmWorkerContents.replace(/\n/g, '\\n'), { filename: 'tfjs-backend-wasm-threaded-simd.worker.js' });
