/**
 * A gradient replica (worker thread): builds the same model (and strategies) as the training thread, and for each
 * share of a batch copies the current parameters from shared memory, runs forward + loss + backward
 * and writes its gradient into its shared slot. It never steps an optimiser: replica 0 applies the
 * summed gradient and publishes the new parameters, so all replicas hold identical weights.
 */
import { parentPort } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs-core';
import type { TrainingStrategy } from '../../strategies/strategy.ts';
import { computeGradientsChunked } from '../gradient-step.ts';
import { buildFromFactory, type TrainableDetector } from '../trainable-model.ts';
import { trainableVariables } from '../trainable-variables.ts';
import { assignFrom, packInto } from './flat-layout.ts';
import type { FromReplica, ReplicaInit, ToReplica } from './protocol.ts';
import { createReplicaStrategies } from './replica-strategies.ts';

if (!parentPort) throw new Error('replica-worker must run in a worker thread');
const port = parentPort;

let init: ReplicaInit | undefined;
let model: TrainableDetector | undefined;
let params: Map<string, tf.Variable> | undefined;
let strategies: TrainingStrategy[] = [];
let seenVersion = -1;

function reply(m: FromReplica): void {
  port.postMessage(m);
}

async function handle(m: ToReplica): Promise<void> {
  if (m.type === 'init') {
    init = m;
    const { initEngine } = await import('@distillery/models/node');
    await initEngine({ backend: m.backend });
    model = await buildFromFactory(m.factory);
    if (m.strategies) strategies = await createReplicaStrategies(m.strategies, model, m.hyp);
    params = trainableVariables(model, strategies);
    const missing = m.layout.names.filter((n) => !params!.has(n));
    if (missing.length || params.size !== m.layout.names.length) {
      throw new Error(`replica: its trained variables differ from the training thread's (missing: ${missing.slice(0, 5).join(', ') || 'none'}; ${params.size} vs ${m.layout.names.length})`);
    }
    reply({ type: 'ready' });
    return;
  }
  if (m.type === 'close') {
    strategies.forEach((st) => st.dispose());
    model?.dispose();
    port.close();
    return;
  }
  if (!init || !model || !params) throw new Error('replica: step before init');
  const version = Atomics.load(new Int32Array(init.control), 0);
  if (version !== seenVersion) {
    assignFrom(init.layout, new Float32Array(init.params), params);
    seenVersion = version;
  }
  const { grads, losses } = await computeGradientsChunked({
    model,
    trainable: params,
    images: m.part.images,
    shape: m.part.shape,
    targets: m.part.targets,
    nTargets: m.part.nTargets,
    lossMeta: init.lossMeta,
    hyp: init.hyp,
    strategies,
    epoch: m.epoch,
    iteration: m.iteration,
    // Only replica 0's BN running statistics are kept (like DDP's broadcast_buffers).
    updateStats: false,
  }, init.microBatch);
  // Free what the strategies kept for this share (the teacher's outputs).
  for (const st of strategies) st.afterStep?.();
  packInto(init.layout, grads, new Float32Array(init.grads), new Uint8Array(init.present));
  for (const g of grads.values()) g.dispose();
  reply({ type: 'done', losses });
}

// Messages are handled one at a time, in order.
let queue = Promise.resolve();
port.on('message', (m: ToReplica) => {
  queue = queue.then(() =>
    handle(m).catch((e: unknown) => reply({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) })),
  );
});
