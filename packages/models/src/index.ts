// @distillery/models: compute engine, layers, the YOLO zoo, checkpoints, weight import, params/FLOPs.
export * from './io/safetensors.ts';
export * from './engine/index.ts';
