/** Helpers the run-executing commands share: database, options, foreground execution, output. */
import type { Command } from 'commander';
import { distilleryHome, openDatabase, type Run, type RunStore } from '@distillery/db';
import type { RunConfig } from '@distillery/core';
import { intOption, type ConfigOverrides } from '../config/build-config.ts';
import { pinReferences } from '../execution/references.ts';
import { createReporter } from '../execution/reporter.ts';
import { hostName, newWorkerId } from '../execution/identity.ts';
import { DEFAULT_LEASE_MS, executeRun, type Outcome } from '../execution/run-executor.ts';
import { stopOnSignals } from '../execution/stop-signals.ts';

export async function openStore(): Promise<RunStore> {
  return openDatabase();
}

export const home = (): string => distilleryHome();

/** The overrides every config-making command accepts. */
export function addConfigOptions(command: Command): Command {
  return command
    .option('--name <name>', 'run name')
    .option('--model <model>', 'zoo config name or model YAML path')
    .option('--data <data>', 'data-set description YAML, or "demo"')
    .option('--epochs <n>', 'epochs', intOption('epochs'))
    .option('--img <n>', 'train/test image size (multiple of 32)', intOption('img'))
    .option('--batch <n>', 'batch size', intOption('batch'))
    .option('--backend <name>', 'compute engine: auto, tensorflow-gpu, tensorflow, wasm, cpu')
    .option('--workers <n>', 'data-parallel training threads on WASM/CPU (0 = cores)', intOption('workers'))
    .option('--weights <weights>', 'initial weights: run id, checkpoint or upstream safetensors ("none": from scratch)')
    .option('--teacher <teacher>', 'distillation teacher: run id or checkpoint (replaces the preset\'s)')
    .option('--seed <n>', 'random seed', intOption('seed'));
}

export function overridesFrom(opts: Record<string, unknown>): ConfigOverrides {
  const pick = <K extends keyof ConfigOverrides>(k: K) => opts[k] as ConfigOverrides[K];
  return {
    name: pick('name'),
    model: pick('model'),
    data: pick('data'),
    epochs: pick('epochs'),
    img: pick('img'),
    batch: pick('batch'),
    backend: pick('backend'),
    workers: pick('workers'),
    weights: opts['weights'] === 'none' ? null : pick('weights'),
    teacher: pick('teacher'),
    seed: pick('seed'),
  };
}

/**
 * Stores a validated config as a new run (references pinned first: a bad one is a usage error and
 * nothing is written), then queues it (`--queue`) or executes it here. Returns the run id.
 */
export async function createAndExecute(
  store: RunStore,
  config: RunConfig,
  opts: { queue?: boolean; json?: boolean; priority?: number; fallbackName: string; beforeExecute?: (run: Run) => Promise<void> },
): Promise<string> {
  const pinned = await pinReferences(store, config, { requireFinished: !opts.queue });
  const run = await store.createRun({
    name: pinned.name ?? pinned.preset ?? opts.fallbackName,
    preset: pinned.preset ?? null,
    config: pinned,
    priority: opts.priority ?? 0,
    enqueue: opts.queue === true,
    createdBy: process.env.USER ?? null,
  });
  await opts.beforeExecute?.(run);
  if (opts.queue) {
    process.stdout.write(opts.json ? `${JSON.stringify({ run })}\n` : `queued run ${run.id} (${run.name})\n`);
    return run.id;
  }
  const workerId = newWorkerId();
  const claimed = await store.claimRun(run.id, workerId, { leaseMs: leaseMs(), host: hostName() });
  if (!claimed) throw new Error(`run ${run.id} was taken by another worker`);
  process.exitCode = await runInForeground(store, claimed, opts.json === true, workerId);
  return run.id;
}

export function addExecutionOptions(command: Command): Command {
  return command
    .option('--queue', 'only put the run on the queue (a `worker` executes it)')
    .option('--json', 'print one JSON object (the run) instead of progress');
}

export const leaseMs = (): number => Number(process.env.DISTILLERY_LEASE_MS) || DEFAULT_LEASE_MS;

/** Runs a claimed run in the foreground with progress and signal handling; returns the exit code. */
export async function runInForeground(store: RunStore, run: Run, json: boolean, workerId: string): Promise<number> {
  const stop = stopOnSignals();
  try {
    const outcome = await executeRun({
      store,
      run,
      workerId,
      leaseMs: leaseMs(),
      stop: stop.signal,
      reporter: createReporter({ json }),
      home: home(),
    });
    const final = await store.getRun(run.id);
    if (json) process.stdout.write(`${JSON.stringify({ run: final, result: await store.result(run.id) })}\n`);
    else process.stdout.write(`${describeOutcome(run, outcome)}\n`);
    return exitCodeOf(outcome);
  } finally {
    stop.dispose();
  }
}

export function describeOutcome(run: Run, outcome: Outcome): string {
  switch (outcome.status) {
    case 'done': {
      const f = outcome.result.final;
      return `run ${run.id} done: P ${f.precision.toFixed(3)} R ${f.recall.toFixed(3)} mAP@.5 ${f.map50.toFixed(3)} mAP@.5:.95 ${f.map5095.toFixed(3)}`;
    }
    case 'interrupted':
      return `run ${run.id} interrupted (${outcome.reason}); continue with: pnpm trainer resume ${run.id}`;
    case 'failed':
      return `run ${run.id} failed: ${outcome.error}`;
    case 'lost':
      return `run ${run.id}: ${outcome.reason}; another worker continues it`;
  }
}

export function exitCodeOf(outcome: Outcome): number {
  return outcome.status === 'done' ? 0 : outcome.status === 'interrupted' ? 130 : 1;
}

export { hostName, newWorkerId };

/** cli-table3 colours only on a terminal: piped output stays free of escape codes. */
export function plainStyle(): { head: string[]; border: string[] } | undefined {
  return process.stdout.isTTY ? undefined : { head: [], border: [] };
}
