// Browser-safe half of the engine: backend names and the wasm training kernels.
export { ENGINE_BACKENDS, EngineError, isEngineBackend, type EngineBackend, type EngineBackendRequest } from './backends.ts';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm-kernels/index.ts';
