/**
 * Executes one claimed run: the training itself happens in the Piscina train worker; this (main)
 * thread writes the database, renews the lease, shows progress and turns a stop request (signal) into
 * a graceful abort. Ends with the run done, interrupted or failed — or, when another worker took the
 * lease away, with no write at all.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EpochMetrics, RunConfig, TrainResult } from '@distillery/core';
import { LeaseLostError, type Run, type RunProgress, type RunStore } from '@distillery/db';
import { oneLine } from '../errors.ts';
import { findResumePoint } from './checkpoint-check.ts';
import type { TrainJobOptions } from '../workers/train.ts';
import type { FromTrainWorker, ToTrainWorker, WorkerArtifact } from './messages.ts';
import { resolveForTraining } from './references.ts';
import type { Reporter } from './reporter.ts';
import { startTrainJob } from './train-pool.ts';

export const DEFAULT_LEASE_MS = 30_000;

export interface ExecuteOptions {
  store: RunStore;
  /** A run this worker has claimed (status running, lease held by `workerId`). */
  run: Run;
  workerId: string;
  leaseMs?: number;
  /** Aborted on SIGINT/SIGTERM: finish the step, checkpoint, mark interrupted. */
  stop: AbortSignal;
  reporter: Reporter;
  /** `DISTILLERY_HOME`: runs go to `<home>/runs/<id>/`, data sets to `<home>/datasets`. */
  home: string;
  /** Module exporting `train` (default `@distillery/core/node`, or `DISTILLERY_TRAINER_MODULE`). */
  trainerModule?: string;
  /** Thread pools and schedule knobs for this execution (default: `defaultJobOptions`). */
  jobOptions?: TrainJobOptions;
}

/** core logs its own epoch summary; the reporter prints ours, so the terminal shows one line per epoch. */
const CORE_EPOCH_LINE = /^epoch \d+\/\d+: /;

/**
 * With the real trainer: one data-loading thread and one evaluation thread beside training
 * (`DISTILLERY_DATA_THREADS`, `DISTILLERY_EVAL_THREAD=0` change that). A substituted trainer (tests)
 * gets none.
 */
export function defaultJobOptions(trainerModule: string): TrainJobOptions {
  if (trainerModule !== '@distillery/core/node') return {};
  const data = Number(process.env.DISTILLERY_DATA_THREADS ?? 1);
  return { dataThreads: Number.isInteger(data) && data >= 0 ? data : 1, evalThread: process.env.DISTILLERY_EVAL_THREAD !== '0' };
}

export type Outcome =
  | { status: 'done'; result: TrainResult }
  | { status: 'interrupted'; reason: string }
  | { status: 'failed'; error: string }
  | { status: 'lost'; reason: string };

export function defaultTrainerModule(): string {
  return process.env.DISTILLERY_TRAINER_MODULE || '@distillery/core/node';
}

export async function executeRun(opts: ExecuteOptions): Promise<Outcome> {
  const { store, run, workerId, reporter } = opts;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const runDir = run.runDir ?? path.join(opts.home, 'runs', run.id);
  let lostReason: string | null = null;
  let stopReason: string | null = null;
  let progress: RunProgress | undefined;
  let job: ReturnType<typeof startTrainJob> | null = null;

  const abortWorker = (reason: string) => job?.port.postMessage({ type: 'abort', reason } satisfies ToTrainWorker);
  const heartbeat = setInterval(() => {
    store.heartbeat(run.id, workerId, leaseMs, progress).then(
      (held) => {
        if (!held && lostReason === null) {
          lostReason = `worker ${workerId} lost the lease of run ${run.id}`;
          abortWorker(lostReason);
        }
      },
      (error: unknown) => reporter.log(`heartbeat failed: ${oneLine(error)}`),
    );
  }, Math.max(50, Math.floor(leaseMs / 3)));
  const onStop = () => {
    stopReason = typeof opts.stop.reason === 'string' ? opts.stop.reason : 'stop requested';
    reporter.log(`${stopReason}: finishing the current step and writing a checkpoint…`);
    abortWorker(stopReason);
  };

  try {
    fs.mkdirSync(runDir, { recursive: true });
    if (run.runDir !== runDir) await store.setRunDir(run.id, runDir);
    // Continue from the newest intact checkpoint; epochs after it were lost with the crash and are redone.
    const resume = await findResumePoint(store, run.id);
    await store.discardEpochsAfter(run.id, resume?.epoch ?? -1);
    reporter.start(run.id, run.name, run.epochsPlanned);
    if (resume) reporter.log(`resuming from ${resume.path} (after epoch ${(resume.epoch ?? -1) + 1})`);
    // Run ids and presets named as weights/teacher become the checkpoint files core reads.
    const config = await resolveForTraining(store, run.config as RunConfig, opts.home, (line) => reporter.log(line));
    const trainerModule = opts.trainerModule ?? defaultTrainerModule();

    job = startTrainJob({
      config,
      runDir,
      resumeFrom: resume?.path,
      datasetsDir: path.join(opts.home, 'datasets'),
      trainerModule,
      options: { ...defaultJobOptions(trainerModule), ...opts.jobOptions },
    });
    if (opts.stop.aborted) onStop();
    else opts.stop.addEventListener('abort', onStop, { once: true });

    const logFile = path.join(runDir, 'train.log');
    // Messages are handled one after the other: database writes keep the order the worker sent them in.
    let chain: Promise<void> = Promise.resolve();
    const port = job.port;
    const ack = (id: number) => port.postMessage({ type: 'ack', id } satisfies ToTrainWorker);
    port.on('message', (message: FromTrainWorker) => {
      chain = chain.then(async () => {
        if (lostReason !== null) return; // not ours any more: write nothing
        try {
          if (message.type === 'step') {
            const p = message.progress;
            progress = { epoch: p.epoch, epochs: p.epochs, step: p.step, steps: p.stepsPerEpoch, imagesPerSec: p.imagesPerSec, loss: p.total };
            reporter.step(p);
          } else if (message.type === 'log') {
            if (!CORE_EPOCH_LINE.test(message.line)) reporter.log(message.line);
            fs.appendFileSync(logFile, `${message.line}\n`);
          } else if (message.type === 'epoch') {
            await recordEpoch(store, run.id, message.metrics);
            reporter.epoch(message.metrics, run.epochsPlanned);
            ack(message.id);
          } else if (message.type === 'artifact') {
            await recordArtifact(store, run.id, message.artifact);
            ack(message.id);
          }
        } catch (error) {
          reporter.log(`could not record ${message.type}: ${oneLine(error)}`);
          if (message.type === 'epoch' || message.type === 'artifact') ack(message.id);
        }
      });
    });

    let result: TrainResult;
    try {
      result = await job.result;
    } finally {
      await chain;
    }
    if (lostReason !== null) return { status: 'lost', reason: lostReason };
    if (result.status === 'interrupted') {
      const reason = stopReason ?? 'interrupted';
      await store.interruptRun(run.id, workerId, reason);
      return { status: 'interrupted', reason };
    }
    await store.finishRun(run.id, workerId, result.final);
    return { status: 'done', result };
  } catch (error) {
    if (lostReason !== null || error instanceof LeaseLostError) return { status: 'lost', reason: lostReason ?? oneLine(error) };
    const message = oneLine(error);
    try {
      await store.failRun(run.id, workerId, message);
    } catch (inner) {
      if (inner instanceof LeaseLostError) return { status: 'lost', reason: oneLine(inner) };
      throw inner;
    }
    return { status: 'failed', error: message };
  } finally {
    clearInterval(heartbeat);
    opts.stop.removeEventListener('abort', onStop);
    reporter.stop();
    await job?.destroy();
  }
}

async function recordEpoch(store: RunStore, runId: string, m: EpochMetrics): Promise<void> {
  await store.recordEpoch(runId, m);
}

async function recordArtifact(store: RunStore, runId: string, a: WorkerArtifact): Promise<void> {
  await store.addArtifact(runId, { kind: a.kind, path: a.path, bytes: a.bytes, sha256: a.sha256, epoch: a.epoch });
}
