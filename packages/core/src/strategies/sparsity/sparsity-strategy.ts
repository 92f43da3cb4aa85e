/**
 * Sparse training (upstream `--sl`, preset smvocs): adds `bs · sl · Σ‖γ‖₁ / n` over the prunable BN
 * layers to every step's loss, so that pruning can later remove the channels whose γ went to zero.
 */
import { selectPrunableBatchNorms, sparsityLoss } from '../../loss/sparsity.ts';
import { nominalBatchScale } from '../../optim/schedule.ts';
import {
  StrategyError,
  type ModuleLike,
  type StepContext,
  type StrategyLoss,
  type StrategySetupContext,
  type TrainingStrategy,
} from '../strategy.ts';
import type * as tf from '@tensorflow/tfjs-core';
import { Module } from '@distillery/models';
import { prunableBatchNorms } from './upstream-module-order.ts';

/** A BatchNorm2d of contract 1: trainable `weight`/`bias`, buffers `running_mean`/`running_var` (+counter). */
export function isBatchNormModule(m: ModuleLike): boolean {
  const params = [...m.namedParameters()].map(([k]) => k).sort();
  const buffers = [...(m.namedBuffers?.() ?? [])]
    .map(([k]) => k)
    .filter((k) => k !== 'num_batches_tracked')
    .sort();
  return params.join() === 'bias,weight' && buffers.join() === 'running_mean,running_var';
}

/**
 * The γ variables of the prunable BN layers of a module list already in upstream `modules()` order
 * (for a contract-1 model use `prunableBatchNorms`, which builds that order).
 */
export function prunableGammas(
  modules: ReadonlyArray<readonly [string, ModuleLike]>,
): Array<[string, tf.Variable]> {
  return selectPrunableBatchNorms(modules, isBatchNormModule).map(([name, m]) => {
    const weight = new Map(m.namedParameters()).get('weight');
    if (!weight) throw new Error(`${name}: batch norm without weight`);
    return [name, weight];
  });
}

export class SparsityStrategy implements TrainingStrategy {
  readonly name = 'sparsity';
  private gammas: tf.Variable[] = [];
  private sl = 0;

  /** @param sl strength; default the run's `hyp.sl` (upstream 6e-4) */
  constructor(private readonly slOverride?: number) {}

  setup(ctx: StrategySetupContext): void {
    const student: unknown = ctx.student;
    let gammas: Array<[string, tf.Variable]>;
    if (student instanceof Module) {
      // A contract-1 model: upstream's modules() indices, PyTorch-only modules included.
      gammas = prunableBatchNorms(student).map(([name, bn]) => [name, bn.namedParameters().get('weight')!]);
    } else {
      const modules = ctx.student.namedModules?.();
      if (!modules)
        throw new StrategyError('sparsity: the student model does not expose its modules (namedModules)');
      gammas = prunableGammas(modules);
    }
    if (gammas.length === 0)
      throw new StrategyError('sparsity: the student has no prunable batch-norm layer');
    this.gammas = gammas.map(([, g]) => g);
    // train.py: `hyp['sl'] *= batch_size * accumulate / nbs` (1.125 for batch 24), like the weight decay.
    const base = this.slOverride ?? ctx.hyp.sl ?? ctx.config.hyp.sl;
    this.sl = base * nominalBatchScale(ctx.config.batch, ctx.config.nominalBatch);
    ctx.log?.(
      `sparsity: L1 on ${gammas.length} BN gammas, sl ${base} × ${this.sl / base} (nominal batch scale)`,
    );
  }

  /** The effective strength after the nominal-batch scaling. */
  get strength(): number {
    return this.sl;
  }

  get layerCount(): number {
    return this.gammas.length;
  }

  extraLoss(step: StepContext): StrategyLoss {
    const l = sparsityLoss(this.gammas, this.sl, step.batchSize);
    return { total: l, items: { lsparsity: l } };
  }

  dispose(): void {
    this.gammas = [];
  }
}
