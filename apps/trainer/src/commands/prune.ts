/**
 * `prune`: network slimming as upstream pruning.py — a sparsity-trained checkpoint or run → a smaller
 * network (core's `pruneCheckpoint`) → a new run that fine-tunes it. Everything that can be wrong
 * (ratio outside (0,1), a threshold that removes every channel, weights that do not load) is found
 * by pruning once here, BEFORE the run is stored; the pruned files then move into the run's folder,
 * where the train worker picks them up instead of pruning again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { PruneError, validatePruneSpec, type PruneSpec, type RunConfig } from '@distillery/core';
import { pruneCheckpoint, type PruneCheckpointResult } from '@distillery/core/node';
import { initEngine } from '@distillery/models/node';
import { buildRunConfig, numberOption } from '../config/build-config.ts';
import { UsageError } from '../errors.ts';
import { sha256File } from '../execution/checkpoint-check.ts';
import { pinReferences, resolveForTraining } from '../execution/references.ts';
import { addConfigOptions, addExecutionOptions, createAndExecute, home, openStore, overridesFrom } from './shared.ts';

function specFrom(opts: Record<string, unknown>, config: RunConfig | null): PruneSpec {
  const ratio = opts['ratio'] as number | undefined;
  const threshold = opts['threshold'] as number | undefined;
  if (ratio !== undefined && threshold !== undefined) throw new UsageError('prune: give one of --ratio or --threshold, not both');
  const spec: PruneSpec | undefined =
    ratio !== undefined ? { mode: 'ratio', ratio } : threshold !== undefined ? { mode: 'threshold', threshold } : config?.prune;
  if (!spec) throw new UsageError('prune: give --ratio R (0 < R < 1) or --threshold T (|γ| below T is removed)');
  try {
    validatePruneSpec(spec, 'prune');
  } catch (error) {
    if (error instanceof PruneError) throw new UsageError(error.message);
    throw error;
  }
  return spec;
}

export function register(program: Command): void {
  const command = program
    .command('prune')
    .description('prune BN channels of --weights (a sparsity-trained run id or checkpoint) by --ratio or --threshold, then fine-tune the smaller network for --epochs')
    .argument('[source]', 'preset (e.g. fsmvocs) or YAML/JSON run config of the fine-tuning run');
  addExecutionOptions(addConfigOptions(command))
    .option('--ratio <r>', 'prune this fraction of the prunable channels (0 < r < 1)', numberOption('ratio'))
    .option('--threshold <t>', 'prune channels with |γ| below t', numberOption('threshold'))
    .action(async (source: string | undefined, opts: Record<string, unknown>) => {
      const spec = specFrom(opts, null);
      const config = buildRunConfig(source, { ...overridesFrom(opts), prune: spec });
      if (!config.weights || /^@stage:/.test(config.weights))
        throw new UsageError('prune: --weights (the sparsity-trained run id or checkpoint) is required');
      const store = await openStore();
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-prune-'));
      try {
        const pinned = await pinReferences(store, config);
        const resolved = await resolveForTraining(store, pinned, home(), (line) => process.stderr.write(`${line}\n`));
        if (!resolved.weights) throw new UsageError(`prune: ${config.weights} has no weights to prune`);
        await initEngine({ backend: config.backend });
        let pruned: PruneCheckpointResult;
        try {
          pruned = await pruneCheckpoint({
            weights: resolved.weights,
            spec,
            out: path.join(scratch, 'pruned.safetensors'),
            model: config.model,
            img: config.img,
          });
        } catch (error) {
          // Bad input (a threshold that removes everything, weights that do not fit): nothing was stored.
          throw new UsageError((error as Error).message);
        }
        const s = pruned.summary;
        process.stderr.write(
          `prune: |γ| < ${s.threshold.toPrecision(4)} — params ${s.before.params} → ${s.after.params}, ` +
            `GMACs@${s.img} ${s.before.gmacs.toFixed(3)} → ${s.after.gmacs.toFixed(3)}\n`,
        );
        await createAndExecute(store, pinned, {
          queue: opts['queue'] === true,
          json: opts['json'] === true,
          fallbackName: `prune-${spec.mode}`,
          beforeExecute: async (run) => {
            const runDir = path.join(home(), 'runs', run.id);
            fs.mkdirSync(runDir, { recursive: true });
            const checkpoint = path.join(runDir, 'pruned.safetensors');
            fs.copyFileSync(pruned.checkpoint, checkpoint);
            fs.copyFileSync(pruned.yamlPath, path.join(runDir, 'pruned.yaml'));
            await store.setRunDir(run.id, runDir);
            await store.addArtifact(run.id, { kind: 'pruned-model', path: checkpoint, bytes: fs.statSync(checkpoint).size, sha256: sha256File(checkpoint), epoch: null });
          },
        });
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
        await store.close();
      }
    });
}
