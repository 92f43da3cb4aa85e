/**
 * Data-parallel training on WASM/CPU: replica 0 is the training thread itself, replicas 1..N-1 are
 * worker threads. A batch is split into contiguous shares; every replica computes the gradient of the
 * upstream loss on its share; the gradients are summed through SharedArrayBuffers in rank order; the
 * training thread steps the optimiser and publishes the parameters back through shared memory.
 *
 * The sum over shares is exactly what single-thread training computes when it accumulates the same
 * shares as micro-batches (upstream's gradient accumulation). It is NOT bit-for-bit a full-batch
 * step: BN uses per-share batch statistics (PyTorch DDP without SyncBN) and compute_loss's means
 * (box/cls over matched targets, ×bs) are taken per share. BN running statistics come from replica
 * 0's share only (DDP's broadcast_buffers keeps rank 0's too).
 *
 * Strategies (distillation, sparsity) run in every replica on its share: see replica-strategies.ts.
 */
import { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs-core';
import type { LossHyp, LossModelMeta } from '../../loss/hyp.ts';
import type { GradientStepResult, StepLosses } from '../gradient-step.ts';
import type { ModelFactoryRef } from '../trainable-model.ts';
import { flatLayout, packInto, unpack, type FlatLayout } from './flat-layout.ts';
import type { FromReplica, ToReplica } from './protocol.ts';
import { splitBatch, type BatchPart } from './shards.ts';
import { combineShareLosses } from './combine-losses.ts';
import type { ReplicaStrategies } from './replica-strategies.ts';

export interface ReplicaPoolOptions {
  /** Total replicas including the training thread (≥ 2 to be useful). */
  replicas: number;
  backend: string;
  factory: ModelFactoryRef;
  /** The training thread's trainable variables (their names and shapes fix the shared layout). */
  trainable: ReadonlyMap<string, tf.Variable>;
  hyp: LossHyp;
  lossMeta: LossModelMeta;
  /** Largest chunk of one backward pass in each replica (see `defaultMicroBatch`). */
  microBatch?: number;
  /**
   * The run's strategies for the replicas to rebuild (`replicaStrategies`); `trainable` must then hold
   * the strategies' trainable modules too, named as `trainableVariables` names them.
   */
  strategies?: ReplicaStrategies;
}

interface Remote {
  worker: Worker;
  grads: Float32Array;
  present: Uint8Array;
  pending?: { resolve: (m: FromReplica) => void; reject: (e: Error) => void };
}

export class ReplicaPool {
  private constructor(
    private readonly layout: FlatLayout,
    private readonly params: Float32Array,
    private readonly control: Int32Array,
    private readonly remotes: Remote[],
  ) {}

  /** Replicas including the training thread. */
  get size(): number {
    return this.remotes.length + 1;
  }

  static async start(o: ReplicaPoolOptions): Promise<ReplicaPool> {
    const layout = flatLayout(o.trainable);
    const paramsSab = new SharedArrayBuffer(layout.total * 4);
    const controlSab = new SharedArrayBuffer(4);
    const remotes: Remote[] = [];
    const pool = new ReplicaPool(layout, new Float32Array(paramsSab), new Int32Array(controlSab), remotes);
    const entry = new URL('./replica-worker.ts', import.meta.url).href;
    const starting: Array<Promise<FromReplica>> = [];
    try {
      for (let rank = 1; rank < o.replicas; rank++) {
        const gradsSab = new SharedArrayBuffer(layout.total * 4);
        const presentSab = new SharedArrayBuffer(layout.names.length);
        const worker = new Worker(new URL('./replica-boot.mjs', import.meta.url), { workerData: { entry } });
        const remote: Remote = { worker, grads: new Float32Array(gradsSab), present: new Uint8Array(presentSab) };
        worker.on('message', (m: FromReplica) => {
          const p = remote.pending;
          remote.pending = undefined;
          if (!p) return;
          if (m.type === 'error') p.reject(new Error(`replica ${rank}: ${m.message}`));
          else p.resolve(m);
        });
        worker.on('error', (e) => remote.pending?.reject(new Error(`replica ${rank} crashed: ${e.message}`)));
        worker.on('exit', (code) => remote.pending?.reject(new Error(`replica ${rank} exited (code ${code})`)));
        remotes.push(remote);
        const ready = pool.request(remote, {
          type: 'init',
          rank,
          backend: o.backend,
          factory: o.factory,
          layout,
          params: paramsSab,
          control: controlSab,
          grads: gradsSab,
          present: presentSab,
          hyp: o.hyp,
          lossMeta: o.lossMeta,
          microBatch: o.microBatch,
          strategies: o.strategies,
        });
        ready.catch(() => undefined);
        starting.push(ready);
      }
      // The replicas initialise (engine, model, teachers) in parallel.
      await Promise.all(starting);
    } catch (e) {
      await pool.close();
      throw e;
    }
    pool.publish(o.trainable);
    return pool;
  }

  private request(remote: Remote, m: ToReplica, transfer: ArrayBuffer[] = []): Promise<FromReplica> {
    return new Promise((resolve, reject) => {
      remote.pending = { resolve, reject };
      remote.worker.postMessage(m, transfer);
    });
  }

  /** Makes the current parameters visible to every replica (after each optimiser step). */
  publish(trainable: ReadonlyMap<string, tf.Tensor>): void {
    packInto(this.layout, trainable, this.params);
    Atomics.add(this.control, 0, 1);
  }

  /**
   * The summed gradient of the batch's shares; `local` computes replica 0's share in this thread
   * while the workers compute theirs.
   */
  async gradients(
    batch: BatchPart,
    at: { epoch: number; iteration: number },
    local: (part: BatchPart) => Promise<GradientStepResult>,
  ): Promise<GradientStepResult> {
    const parts = splitBatch(batch, this.size);
    const replies = parts.slice(1).map((part, i) => this.request(this.remotes[i], { type: 'step', part, ...at }, [part.images.buffer as ArrayBuffer]));
    // Replies may settle while we compute locally: keep them from being "unhandled" meanwhile.
    replies.forEach((p) => p.catch(() => undefined));
    const mine = await local(parts[0]);
    const answers = await Promise.all(replies);

    const sum = new Float32Array(this.layout.total);
    const present = new Uint8Array(this.layout.names.length);
    packInto(this.layout, mine.grads, sum, present);
    for (const g of mine.grads.values()) g.dispose();
    const shareLosses: StepLosses[] = [mine.losses];
    answers.forEach((a, i) => {
      if (a.type !== 'done') throw new Error(`replica ${i + 1}: unexpected reply ${a.type}`);
      shareLosses.push(a.losses);
      const r = this.remotes[i];
      // Fixed rank order, float32 adds: the same sums as single-thread accumulation of the shares.
      for (let k = 0; k < this.layout.names.length; k++) {
        if (!r.present[k]) continue;
        const from = this.layout.offsets[k];
        const to = k + 1 < this.layout.names.length ? this.layout.offsets[k + 1] : this.layout.total;
        if (!present[k]) sum.set(r.grads.subarray(from, to), from);
        else for (let j = from; j < to; j++) sum[j] += r.grads[j];
        present[k] = 1;
      }
    });
    return { grads: unpack(this.layout, sum, present), losses: combineShareLosses(shareLosses, parts.map((p) => p.shape[0])) };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.remotes.map(async (r) => {
        r.worker.postMessage({ type: 'close' } satisfies ToReplica);
        await r.worker.terminate();
      }),
    );
    this.remotes.length = 0;
  }
}

export { combineShareLosses };
