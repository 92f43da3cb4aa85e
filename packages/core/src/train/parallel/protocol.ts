/** Messages between the training thread (replica 0) and its gradient replicas. */
import type { LossHyp, LossModelMeta } from '../../loss/hyp.ts';
import type { StepLosses } from '../gradient-step.ts';
import type { ModelFactoryRef } from '../trainable-model.ts';
import type { FlatLayout } from './flat-layout.ts';
import type { ReplicaStrategies } from './replica-strategies.ts';
import type { BatchPart } from './shards.ts';

export interface ReplicaInit {
  type: 'init';
  rank: number;
  /** Engine backend for the replica's thread (each thread initialises its own tfjs). */
  backend: string;
  factory: ModelFactoryRef;
  layout: FlatLayout;
  /** Float32 parameters written by replica 0 after each optimiser step. */
  params: SharedArrayBuffer;
  /** Int32 `[paramsVersion]`. */
  control: SharedArrayBuffer;
  /** This replica's Float32 gradient slot and its Uint8 "has a gradient" flags. */
  grads: SharedArrayBuffer;
  present: SharedArrayBuffer;
  hyp: LossHyp;
  lossMeta: LossModelMeta;
  /** Largest chunk of one backward pass (memory bound); undefined = the whole share. */
  microBatch?: number;
  /** The run's strategies, rebuilt in the replica (none when absent). */
  strategies?: ReplicaStrategies;
}

export interface ReplicaStep {
  type: 'step';
  part: BatchPart;
  epoch: number;
  iteration: number;
}

export type ToReplica = ReplicaInit | ReplicaStep | { type: 'close' };

export type FromReplica =
  | { type: 'ready' }
  | { type: 'done'; losses: StepLosses }
  | { type: 'error'; message: string };
