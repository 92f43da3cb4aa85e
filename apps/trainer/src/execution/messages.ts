/** What the train worker and the main thread say to each other over the task's MessagePort. */
import type { ArtifactInfo, EpochMetrics, StepProgress } from '@distillery/core';

/** A file the run produced: core's checkpoints, or the trainer's own (the pruned network). */
export type WorkerArtifact = ArtifactInfo;

export type FromTrainWorker =
  | { type: 'epoch'; id: number; metrics: EpochMetrics }
  | { type: 'artifact'; id: number; artifact: WorkerArtifact }
  | { type: 'step'; progress: StepProgress }
  | { type: 'log'; line: string };

export type ToTrainWorker = { type: 'abort'; reason: string } | { type: 'ack'; id: number };
