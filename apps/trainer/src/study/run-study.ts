/**
 * Runs a study — core's chain of presets (teacher → student, sparse → prune → fine-tune, T → TA → S) —
 * in the foreground, stage after stage, each one a stored run linked to the study. Every stage is
 * resolved and validated (core's `resolveStudy`) before anything is written; a stage's `@stage:<id>`
 * reference becomes that stage's run id, which the executor turns into its checkpoint.
 */
import { ConfigError, resolveStudy, substituteStageOutputs, type StudyInput, type StudyOverrides } from '@distillery/core';
import type { RunStore } from '@distillery/db';
import { UsageError } from '../errors.ts';
import { createReporter } from '../execution/reporter.ts';
import { hostName, newWorkerId } from '../execution/identity.ts';
import { executeRun, type Outcome } from '../execution/run-executor.ts';
import type { TrainJobOptions } from '../workers/train.ts';

export interface StudyStageOutcome {
  stage: string;
  runId: string;
  outcome: Outcome;
  seconds: number;
}

export interface RunStudyOptions {
  overrides?: StudyOverrides;
  stop: AbortSignal;
  home: string;
  leaseMs: number;
  json: boolean;
  jobOptions?: TrainJobOptions;
  /** Called before each stage starts (progress headers). */
  onStage?(stage: string, index: number, count: number, runId: string): void;
}

export function resolveStudyOrThrow(study: StudyInput, overrides: StudyOverrides = {}) {
  try {
    return resolveStudy(study, overrides);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

export async function runStudy(store: RunStore, study: StudyInput, opts: RunStudyOptions): Promise<{ studyId: string; stages: StudyStageOutcome[] }> {
  const stages = resolveStudyOrThrow(study, opts.overrides);
  const created = await store.createStudy({
    name: study.name,
    kind: study.name,
    description: study.description ?? null,
    stages: stages.map((s) => ({ name: s.id, preset: s.config.preset ?? null, dependsOn: s.dependsOn })),
  });
  const outputs: Record<string, string> = {};
  const results: StudyStageOutcome[] = [];
  for (const [index, stage] of stages.entries()) {
    if (opts.stop.aborted) break;
    const config = substituteStageOutputs(stage.config, outputs);
    const run = await store.createRun({ name: config.name ?? `${study.name}/${stage.id}`, preset: config.preset ?? null, config, studyId: created.id, enqueue: false, createdBy: process.env.USER ?? null });
    await store.linkStudyRun(created.id, stage.id, run.id);
    opts.onStage?.(stage.id, index, stages.length, run.id);
    const workerId = newWorkerId();
    const claimed = await store.claimRun(run.id, workerId, { leaseMs: opts.leaseMs, host: hostName() });
    if (!claimed) throw new Error(`run ${run.id} was taken by another worker`);
    const t0 = performance.now();
    const outcome = await executeRun({
      store,
      run: claimed,
      workerId,
      leaseMs: opts.leaseMs,
      stop: opts.stop,
      reporter: createReporter({ json: opts.json }),
      home: opts.home,
      jobOptions: opts.jobOptions,
    });
    results.push({ stage: stage.id, runId: run.id, outcome, seconds: (performance.now() - t0) / 1000 });
    if (outcome.status !== 'done') break;
    outputs[stage.id] = run.id;
  }
  return { studyId: created.id, stages: results };
}
