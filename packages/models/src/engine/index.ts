// Browser-safe half of the engine: gradient registration, backend names, the training kernels.
// The backend packages are imported BEFORE our kernels are registered: a backend registers its
// stock kernels when first imported and would overwrite ours if it came later.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import './register-gradients.ts';
import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingKernels } from './wasm-kernels/index.ts';
import { spaceToDepthGradConfig } from './space-to-depth/space-to-depth.ts';

registerTrainingKernels();
tf.registerGradient(spaceToDepthGradConfig);

export { ENGINE_BACKENDS, EngineError, isEngineBackend, type EngineBackend, type EngineBackendRequest } from './backends.ts';
export { registerTrainingKernels, registerWasmTrainingKernels, TRAINING_KERNELS, WASM_TRAINING_KERNELS } from './wasm-kernels/index.ts';
export { batchNormActTrain, type BatchNormActivation, type BatchNormActOptions, type BatchNormActResult } from './batch-norm/batch-norm-act.ts';
export { setSimdKernelsEnabled } from './simd/simd-module.ts';
export { inFastInference, withFastInference } from './inference-mode.ts';
export { setWinogradVariant, type WinogradChoice } from './simd/winograd-conv2d.ts';
export { depthToSpaceRowFirst, spaceToDepthRowFirst } from './space-to-depth/space-to-depth.ts';
export { upsampleAdd } from './upsample-add/upsample-add.ts';
export { pointwiseConcat, type PointwisePart } from './pointwise-concat/pointwise-concat.ts';
