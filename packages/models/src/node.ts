// @distillery/models/node: the Node-only half (file I/O). The main entry stays browser-safe.
export { readSafetensorsFile } from './io/read-safetensors-file.ts';
// Model checkpoints and golden model cases (files).
export { writeModelCheckpointFile, readModelCheckpointFile } from './io/checkpoint-file.ts';
export { findCaseFolders } from './io/case-folders.ts';
export { findModelCases, findCaseInputs, loadModelCase, checkModelCase, MODEL_CASE_TOLERANCES } from './io/model-case.ts';
export type { CaseCheck, CaseLoss, LoadedModelCase, ModelCaseMeta } from './io/model-case.ts';

// The engine: backend choice (imports optional native packages, so Node only).
export { initEngine, formatEngineChoice, probeBackends, type EngineChoice, type InitEngineOptions, type SkippedBackend } from './engine/init-engine.ts';
