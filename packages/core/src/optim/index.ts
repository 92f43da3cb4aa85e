// The upstream optimiser: parameter groups, Nesterov SGD / Adam, schedules, accumulation, EMA.
export * from './param-groups.ts';
export * from './schedule.ts';
export * from './optimizer.ts';
export * from './sgd.ts';
export * from './adam.ts';
export * from './create.ts';
export * from './accumulate.ts';
export * from './ema.ts';
