// Training strategies (contract 4): the interface, the registry and the built-in strategies.
export * from './strategy.ts';
export { BUILTIN_STRATEGIES, type StrategyFactory, type StrategyKind, type StrategySpec } from './builtin.ts';
export { createStrategies, createStrategy, isBuiltinStrategy, registerStrategy, registeredStrategyKinds } from './registry.ts';
export {
  DistillationStrategy,
  UPSTREAM_STUDENT_FEATURE_LAYERS,
  UPSTREAM_TEACHER_FEATURE_LAYERS,
  type DistillationOptions,
  type FeatureDistillationOptions,
} from './distill/distillation-strategy.ts';
export { FeatureConverter, type ConverterKind } from './distill/converter.ts';
export {
  checkTeacherFitsStudent,
  runTeacher,
  type TeacherMode,
  type TeacherOutput,
} from './distill/teacher.ts';
export { SparsityStrategy, isBatchNormModule, prunableGammas } from './sparsity/sparsity-strategy.ts';
export {
  prunableBatchNorms,
  upstreamModuleOrder,
  type TorchPlaceholder,
  type UpstreamModule,
} from './sparsity/upstream-module-order.ts';
