/** Strategy values from run-config specs: the built-ins plus any registered at run time. */
import { StrategySchema, type Strategy } from '../config/run-config.ts';
import { BUILTIN_STRATEGIES, type StrategyFactory, type StrategyKind } from './builtin.ts';
import { StrategyError, type TrainingStrategy } from './strategy.ts';

const factories = new Map<string, (spec: Strategy) => TrainingStrategy>(
  Object.entries(BUILTIN_STRATEGIES) as Array<[string, (spec: Strategy) => TrainingStrategy]>,
);

/** Kinds whose factory was registered at run time: module state of this thread only. */
const registeredAtRunTime = new Set<string>();

/** Replaces or adds the factory of a `kind` (tests, experiments). */
export function registerStrategy<K extends StrategyKind>(kind: K, factory: StrategyFactory<K>): void {
  factories.set(kind, factory as unknown as (spec: Strategy) => TrainingStrategy);
  registeredAtRunTime.add(kind);
}

/**
 * Whether `kind` is built by its built-in factory — the same in every thread. A factory registered at
 * run time lives in the registering thread only, so data-parallel replicas cannot rebuild it.
 */
export function isBuiltinStrategy(kind: string): boolean {
  return kind in BUILTIN_STRATEGIES && !registeredAtRunTime.has(kind);
}

export function registeredStrategyKinds(): string[] {
  return [...factories.keys()];
}

/** Validates a spec (defaults filled) and builds its strategy; errors name the spec. */
export function createStrategy(spec: unknown): TrainingStrategy {
  const parsed = StrategySchema.safeParse(spec);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new StrategyError(`invalid strategy ${JSON.stringify(spec)}: ${detail}`);
  }
  const factory = factories.get(parsed.data.kind);
  if (!factory) throw new StrategyError(`unknown strategy kind '${parsed.data.kind}'`);
  return factory(parsed.data);
}

/** A run's strategies; two distillations sharing one output term would count it twice. */
export function createStrategies(specs: readonly unknown[]): TrainingStrategy[] {
  const strategies = specs.map(createStrategy);
  const outputTerms = specs.filter((s) => {
    const p = StrategySchema.parse(s);
    return p.kind === 'distill-output' || (p.kind === 'distill-feature' && p.outputWeight > 0);
  }).length;
  if (outputTerms > 1) {
    strategies.forEach((s) => s.dispose());
    throw new StrategyError(
      'more than one output-distillation term (distill-feature already includes the output term; set its outputWeight to 0 to combine)',
    );
  }
  return strategies;
}
