// @distillery/core: data sets, augmentation, YOLO loss, optimiser, training loop, strategies, presets.
export * from './config/run-config.ts';
export * from './optim/index.ts';
export type * from './train/types.ts';
export * from './loss/index.ts';
export * from './strategies/index.ts';
export * from './pruning/index.ts';
export * from './data/index.ts';
export * from './presets/index.ts';
export * from './studies/index.ts';
export * from './reference/index.ts';
