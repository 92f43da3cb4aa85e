// @distillery/core/config: the run-config schema, presets, studies and reference tables — plain data and
// zod, no tfjs — for processes that only validate, show or launch runs (the dashboard's server and
// browser). Loading the main entry would register every tfjs kernel.
export * from './config/run-config.ts';
export * from './presets/index.ts';
export * from './studies/index.ts';
export * from './reference/index.ts';
export type * from './train/types.ts';
