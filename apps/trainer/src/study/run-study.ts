/**
 * Runs a study — a chain of stages (teacher → student, sparse → prune → fine-tune) — in the
 * foreground, stage after stage, each one a stored run linked to the study. A stage refers to an earlier
 * stage's result with `@<stage>` wherever a run reference is expected (`weights`, a strategy's
 * `teacher`): it is replaced by that stage's run id before the config is validated.
 */
import type { RunConfig } from '@distillery/core';
import type { RunStore } from '@distillery/db';
import { buildRunConfig, type ConfigOverrides } from '../config/build-config.ts';
import { createReporter } from '../execution/reporter.ts';
import { hostName, newWorkerId } from '../execution/identity.ts';
import { executeRun, type Outcome } from '../execution/run-executor.ts';

export interface StudyDefinition {
  name: string;
  kind?: string;
  description?: string;
  stages: Array<{ name: string; preset?: string; config?: Record<string, unknown>; dependsOn?: string[] }>;
}

export interface StudyStageOutcome {
  stage: string;
  runId: string;
  outcome: Outcome;
}

function substituteRefs(value: unknown, runIds: Map<string, string>): unknown {
  if (typeof value === 'string' && value.startsWith('@')) {
    const id = runIds.get(value.slice(1));
    if (!id) throw new Error(`study: "${value}" refers to a stage that has not run (yet)`);
    return id;
  }
  if (Array.isArray(value)) return value.map((v) => substituteRefs(v, runIds));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteRefs(v, runIds)]));
  return value;
}

/** Validates every stage's config up front (with placeholders for earlier stages) before writing. */
export function checkStudy(study: StudyDefinition, overrides: ConfigOverrides): void {
  const placeholders = new Map(study.stages.map((s) => [s.name, `stage-${s.name}`]));
  for (const stage of study.stages) stageConfig(stage, overrides, placeholders);
}

function stageConfig(stage: StudyDefinition['stages'][number], overrides: ConfigOverrides, runIds: Map<string, string>): RunConfig {
  const base = buildRunConfig(stage.preset, { ...(substituteRefs(stage.config ?? {}, runIds) as ConfigOverrides), ...overrides });
  return { ...base, name: base.name ?? `${stage.name}` };
}

export async function runStudy(
  store: RunStore,
  study: StudyDefinition,
  opts: { overrides: ConfigOverrides; stop: AbortSignal; home: string; leaseMs: number; json: boolean },
): Promise<{ studyId: string; stages: StudyStageOutcome[] }> {
  checkStudy(study, opts.overrides);
  const created = await store.createStudy({
    name: study.name,
    kind: study.kind ?? null,
    description: study.description ?? null,
    stages: study.stages.map((s) => ({ name: s.name, preset: s.preset ?? null, dependsOn: s.dependsOn ?? [] })),
  });
  const runIds = new Map<string, string>();
  const results: StudyStageOutcome[] = [];
  for (const stage of study.stages) {
    if (opts.stop.aborted) break;
    const config = stageConfig(stage, opts.overrides, runIds);
    const run = await store.createRun({ name: `${study.name}/${stage.name}`, preset: config.preset ?? null, config, studyId: created.id, enqueue: false });
    await store.linkStudyRun(created.id, stage.name, run.id);
    runIds.set(stage.name, run.id);
    const workerId = newWorkerId();
    const claimed = await store.claimRun(run.id, workerId, { leaseMs: opts.leaseMs, host: hostName() });
    if (!claimed) throw new Error(`run ${run.id} was taken by another worker`);
    const outcome = await executeRun({ store, run: claimed, workerId, leaseMs: opts.leaseMs, stop: opts.stop, reporter: createReporter({ json: opts.json }), home: opts.home });
    results.push({ stage: stage.name, runId: run.id, outcome });
    if (outcome.status !== 'done') break;
  }
  return { studyId: created.id, stages: results };
}
