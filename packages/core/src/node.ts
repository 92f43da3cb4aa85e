export * from './data/node.ts';
export {};
// Training loop (contract 5), its checkpoints, evaluation and data-parallel replicas.
export { train, defaultDatasetsDir, type TrainInternals } from './train/train.ts';
export { evaluateDetector, fitnessOf, type EvaluateOptions, type DetailedEvalMetrics } from './train/evaluate.ts';
export { evaluateRequest } from './train/evaluate-request.ts';
export { collectValImages, valImagesOf, VAL_IMAGES_DEFAULT, VAL_IMAGES_MIN_SCORE, type ValImageSample, type ValImageBox, type ValImagePrediction } from './train/val-images.ts';
export { writeValImages, VAL_IMAGES_MANIFEST, VAL_IMAGES_DIR, type ValImagesManifest } from './train/val-images-file.ts';
export { loadTeacherCheckpoint } from './train/strategies.ts';
export { resolveModelYaml } from './train/resolve-model.ts';
export { createTrainingModel, defaultModelFactory, type TrainingModelArgs } from './train/model-factory.ts';
export { ReplicaPool, combineShareLosses, type ReplicaPoolOptions } from './train/parallel/replica-pool.ts';
export { splitBatch, shardSizes, type BatchPart } from './train/parallel/shards.ts';
export { computeGradients, computeGradientsChunked, defaultMicroBatch, type GradientStepInput, type GradientStepResult, type StepLosses } from './train/gradient-step.ts';
export type { TrainableDetector, ModelFactoryRef } from './train/trainable-model.ts';
export { readCheckpoint, writeCheckpoint, encodeCheckpoint, decodeCheckpoint, writeFileAtomic, CheckpointError, type WrittenFile } from './checkpoint/file.ts';
export { CHECKPOINT_FORMAT, type TrainingCheckpoint, type TrainingPosition } from './checkpoint/training-state.ts';
export * from './pruning/node.ts';
