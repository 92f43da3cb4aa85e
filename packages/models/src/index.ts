// @distillery/models: compute engine, layers, the YOLO zoo, checkpoints, weight import, params/FLOPs.
// Browser-safe: tfjs-core only, no Node APIs.
export * from './io/safetensors.ts';
// Engine (contract 8): registers tfjs gradients and the wasm/cpu training kernels on import.
export * from './engine/index.ts';
// Module API (contract 1)
export { Module, StateDictError, EVAL, TRAIN, sameShape, describeLoadProblems } from './nn/module.ts';
export type { ForwardContext, LoadOptions, LoadReport, StateEntry, TorchLayout } from './nn/module.ts';
export { Sequential } from './nn/sequential.ts';
export type { Block } from './nn/sequential.ts';
export { ModuleList } from './nn/module-list.ts';
export { createRng } from './nn/random.ts';
// Layers (upstream models/common.py, models/yolo.py)
export { Conv2d, torchPadding } from './layers/conv2d.ts';
export { BatchNorm2d, YOLO_BN } from './layers/batch-norm.ts';
export { Conv } from './layers/conv.ts';
export { ConvBNReLU } from './layers/conv-bn-relu.ts';
export { Focus } from './layers/focus.ts';
export { Bottleneck } from './layers/bottleneck.ts';
export { BottleneckCSP } from './layers/bottleneck-csp.ts';
export { SPP } from './layers/spp.ts';
export { InvertedResidual } from './layers/inverted-residual.ts';
export { Concat } from './layers/concat.ts';
export { Upsample } from './layers/upsample.ts';
export { Detect } from './layers/detect.ts';
export { foldBatchNorm } from './layers/fold.ts';
export { float64RawOutputs, type RawLevel64 } from './reference/float64-forward.ts';
export { rawOutputChecks, RAW_TOLERANCES, type RawOutputCheck } from './reference/raw-output-checks.ts';
// Zoo
export { parseModelConfig, ModelConfigSchema, ModelConfigError } from './zoo/config.ts';
export type { ModelConfig, LayerSpec } from './zoo/config.ts';
export { parseModel, makeDivisible, MODULE_TYPES } from './zoo/parse-model.ts';
export type { LayerInfo, ModuleName } from './zoo/parse-model.ts';
export { YoloModel, disposeForward, pyRepr } from './zoo/yolo-model.ts';
export type { ForwardOptions, ForwardResult, ProfileResult } from './zoo/yolo-model.ts';
export { buildModel } from './zoo/build.ts';
export type { BuildModelOptions } from './zoo/build.ts';
export { zooNames, getZooConfig } from './zoo/zoo.ts';
export { ZOO_CONFIGS } from './zoo/configs/index.ts';
// PyTorch interop
export { importTorch } from './torch/import.ts';
export type { ImportOptions } from './torch/import.ts';
export { exportTorch, exportTorchSafetensors } from './torch/export.ts';
export { torchShape, fromTorch, toTorch } from './torch/layout.ts';
// Checkpoints
export { encodeModelCheckpoint, loadModelCheckpoint, CheckpointFormatError, MODEL_CHECKPOINT_FORMAT, MODELS_VERSION } from './io/checkpoint.ts';
export type { ModelCheckpointMeta, LoadedCheckpoint } from './io/checkpoint.ts';
