/**
 * `train(config, opts)` (contract 5): upstream train.py's loop in TypeScript.
 *
 * Per batch: warm-up/cosine settings for iteration `ni`, gradients of compute_loss (+ strategies'
 * terms) — on one thread, or summed over data-parallel replicas — accumulated like PyTorch's `.grad`,
 * an optimiser step and an EMA update whenever `ni % accumulate == 0`. Per epoch: evaluation of the EMA
 * weights (in-thread, or by an injected evaluator that overlaps the next epoch), `last` and `best`
 * checkpoints written atomically. Deterministic given the seed and the replica count: every random
 * draw of the data pipeline derives from (seed, epoch, index) and the model is initialised from the seed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { availableParallelism, homedir } from 'node:os';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@distillery/models/node';
import type { RunConfig } from '../config/run-config.ts';
import { readCheckpoint, writeCheckpoint, writeFileAtomic, encodeCheckpoint, type WrittenFile } from '../checkpoint/file.ts';
import type { TrainingCheckpoint, TrainingPosition } from '../checkpoint/training-state.ts';
import { resolveDataset } from '../data/description/resolve.ts';
import { createDataLoader } from '../data/loader/create-data-loader.ts';
import type { Batch } from '../data/types.ts';
import { effectiveLossHyp, lossMetaFromModel } from '../loss/hyp.ts';
import { GradientAccumulator } from '../optim/accumulate.ts';
import { createOptimizer } from '../optim/create.ts';
import { ModelEma } from '../optim/ema.ts';
import { iterationSettings, nominalBatchScale, warmupIterations, type ScheduleConfig } from '../optim/schedule.ts';
import type { Detector, TrainingStrategy } from '../strategies/strategy.ts';
import { evaluateDetector, fitnessOf } from './evaluate.ts';
import { computeGradientsChunked, defaultMicroBatch, type GradientStepResult } from './gradient-step.ts';
import { LossMeter } from './loss-meter.ts';
import { createTrainingModel, defaultModelFactory, type TrainingModelArgs } from './model-factory.ts';
import { ReplicaPool } from './parallel/replica-pool.ts';
import { replicaStrategies } from './parallel/replica-strategies.ts';
import type { BatchPart } from './parallel/shards.ts';
import { resolveModelYaml } from './resolve-model.ts';
import { loadPlain, toPlain } from './state-arrays.ts';
import { VAL_IMAGES_DEFAULT, valImagesOf } from './val-images.ts';
import { writeValImages } from './val-images-file.ts';
import { createStrategies } from './strategies.ts';
import { loadExtraState, trainableVariables } from './trainable-variables.ts';
import type { ModelFactoryRef, TrainableDetector } from './trainable-model.ts';
import { buildFromFactory } from './trainable-model.ts';
import type { EpochMetrics, EvalMetrics, EvalRequest, FinalMetrics, TrainOptions, TrainResult } from './types.ts';

/** Default folder of generated/downloaded data sets: `$DISTILLERY_HOME/datasets`. */
export function defaultDatasetsDir(): string {
  return path.join(process.env.DISTILLERY_HOME ?? path.join(homedir(), '.distillery'), 'datasets');
}

/** Internal knobs for tests: a custom model factory (plain data, so replicas can use it too). */
export interface TrainInternals {
  modelFactory?: ModelFactoryRef;
}

interface PendingEval {
  epoch: number;
  train: Omit<EpochMetrics, keyof EvalMetrics>;
  result: Promise<EvalMetrics>;
  checkpoint: Uint8Array;
}

export async function train(config: RunConfig, opts: TrainOptions & TrainInternals): Promise<TrainResult> {
  const log = opts.onLog ?? (() => undefined);
  const engine = await initEngine({ backend: config.backend });
  log(`engine: ${engine.backend} — ${engine.reason}`);

  // ---- data
  const datasetsDir = opts.datasetsDir ?? defaultDatasetsDir();
  const description = await resolveDataset(config.data, { demoDir: path.join(datasetsDir, 'demo') });
  const trainLoader = await createDataLoader({
    description,
    split: 'train',
    batchSize: config.batch,
    img: config.img,
    augment: config.augment,
    hyp: config.hyp,
    seed: config.seed,
    source: opts.sampleSource,
    badSamples: config.badSamples,
  });
  const valSplit = 'val' in description.splits ? 'val' : 'test' in description.splits ? 'test' : 'train';
  const valLoader = await createDataLoader({
    description,
    split: valSplit,
    batchSize: config.batch,
    img: config.img,
    augment: false,
    rect: true,
    seed: config.seed,
    source: opts.sampleSource,
    badSamples: config.badSamples,
  });
  const names = trainLoader.names;
  const nc = names.length;
  if (trainLoader.length === 0) throw new Error(`data '${config.data}': the train split has no images`);
  const nb = Math.min(trainLoader.length, opts.maxBatchesPerEpoch ?? Infinity);

  // ---- model, EMA copy, strategies, optimiser
  const pruned = config.prune && !opts.modelFactory ? await prunedStartingPoint(config, opts, log) : undefined;
  const { yaml, configName } = opts.modelFactory
    ? { yaml: '', configName: config.model }
    : (pruned ?? (await resolveModelYaml(config.model)));
  const modelArgs: TrainingModelArgs = { yaml, nc, seed: config.seed, names, configName };
  const factory = opts.modelFactory ?? defaultModelFactory(modelArgs);
  const model = opts.modelFactory ? await buildFromFactory(factory) : createTrainingModel(modelArgs);
  const emaModel = opts.modelFactory ? await buildFromFactory(factory) : createTrainingModel(modelArgs);
  if (pruned && !opts.resumeFrom) await loadInitialWeights(model, pruned.checkpoint, log, { strict: true });
  else if (config.weights && !opts.resumeFrom) await loadInitialWeights(model, config.weights, log);

  const scale = nominalBatchScale(config.batch, config.nominalBatch);
  // `sl` stays unscaled here: the sparsity strategy applies train.py's nominal-batch scale itself.
  const lossHyp = effectiveLossHyp(config.hyp, nc);
  const lossMeta = lossMetaFromModel(model);
  const teachers = new Map<string, Detector>();
  const strategies: TrainingStrategy[] = await createStrategies(config, {
    student: model,
    hyp: lossHyp,
    log,
    loadTeacher: opts.loadTeacher,
    onTeacher: (ref, t) => teachers.set(ref, t),
  });
  const trainable = trainableVariables(model, strategies);
  const optimizer = createOptimizer(trainable, {
    kind: config.optimizer,
    lr0: config.hyp.lr0,
    momentum: config.hyp.momentum,
    weightDecay: config.hyp.weight_decay * scale,
  });
  const ema = new ModelEma(emaModel.stateDict() as Map<string, tf.Variable>);
  ema.copyFrom(model.stateDict());
  const acc = new GradientAccumulator();

  const schedule: ScheduleConfig = {
    lr0: config.hyp.lr0,
    momentum: config.hyp.momentum,
    lrf: config.hyp.lrf,
    epochs: config.epochs,
    batch: config.batch,
    nominalBatch: config.nominalBatch,
    batchesPerEpoch: nb,
    minWarmupIterations: opts.minWarmupIterations ?? config.warmupIterations,
    warmupEpochs: config.warmupEpochs,
  };
  const nw = warmupIterations(nb, schedule.minWarmupIterations, schedule.warmupEpochs);

  let position: TrainingPosition = {
    epoch: 0,
    batch: 0,
    iteration: 0,
    batchesPerEpoch: nb,
    emaUpdates: 0,
    pendingBatches: 0,
    bestFitness: -Infinity,
    seed: config.seed,
    history: [],
  };
  if (opts.resumeFrom) {
    const ckpt = await readCheckpoint(opts.resumeFrom);
    loadPlain(model, ckpt.model, opts.resumeFrom);
    loadPlain(emaModel, ckpt.ema, opts.resumeFrom);
    loadExtraState(trainable, ckpt.extra, opts.resumeFrom);
    optimizer.setState(ckpt.optimizer);
    acc.load(ckpt.pending, ckpt.position.pendingBatches);
    ema.updates = ckpt.position.emaUpdates;
    position = ckpt.position;
    if (position.batchesPerEpoch !== nb) {
      log(`resume: the checkpoint had ${position.batchesPerEpoch} batches per epoch, now ${nb}: the schedule continues from iteration ${position.iteration}`);
    }
    log(`resumed from ${opts.resumeFrom} at epoch ${position.epoch}, batch ${position.batch}`);
  }

  const microBatch = opts.microBatch ?? defaultMicroBatch(engine.backend, config.img);

  // ---- data-parallel replicas
  const requested = opts.workers ?? config.workers;
  const replicas = requested === 0 ? availableParallelism() : requested;
  let pool: ReplicaPool | undefined;
  if (replicas > 1) {
    // Every replica rebuilds the strategies (teachers handed over as plain copies): replica-strategies.ts.
    const cpuLike = engine.backend === 'wasm' || engine.backend === 'cpu';
    const shared = cpuLike && strategies.length ? replicaStrategies(config, teachers) : undefined;
    const why = !cpuLike ? `the ${engine.backend} backend runs one training thread` : shared && 'why' in shared ? shared.why : undefined;
    if (why) log(`data-parallel: ${replicas} workers requested, using 1 (${why})`);
    else {
      const spec = shared && 'spec' in shared ? shared.spec : undefined;
      pool = await ReplicaPool.start({ replicas, backend: engine.backend, factory, trainable, hyp: lossHyp, lossMeta, microBatch, strategies: spec });
      log(`data-parallel: ${pool.size} replicas (this thread + ${pool.size - 1} workers)`);
    }
  }

  const history: EpochMetrics[] = [...position.history];
  let bestFitness = position.bestFitness;
  let lastWritten: WrittenFile | undefined;
  let bestWritten: WrittenFile | undefined;
  let pending: PendingEval | undefined;
  let lastEval: EvalMetrics | undefined = history.length ? history[history.length - 1] : undefined;
  const lastPath = path.join(opts.runDir, 'last.safetensors');
  const bestPath = path.join(opts.runDir, 'best.safetensors');

  const snapshot = (p: TrainingPosition): TrainingCheckpoint => ({
    ema: toPlain(emaModel.stateDict()),
    model: toPlain(model.stateDict()),
    extra: extraState(strategies),
    optimizer: optimizer.getState(),
    pending: acc.toArrays(),
    position: p,
    config,
    modelYaml: yaml,
    nc,
    names,
    img: config.img,
  });

  const evaluate = (epoch: number, fast: boolean): Promise<EvalMetrics> => {
    const settings = { confThres: config.eval.confThres, iouThres: config.eval.iouThres, fast, maxImages: opts.maxEvalImages };
    if (opts.evaluator) {
      const request: EvalRequest = {
        epoch,
        model: config.model,
        modelYaml: yaml,
        nc,
        weights: toPlain(emaModel.stateDict()),
        data: config.data,
        datasetsDir,
        img: config.img,
        batch: config.batch,
        ...settings,
      };
      return opts.evaluator(request);
    }
    return evaluateDetector(emaModel, valLoader.epoch(0), { ...settings, valImages: VAL_IMAGES_DEFAULT });
  };

  /** Records a finished evaluation: history, callback, best checkpoint. */
  const settle = async (p: PendingEval): Promise<void> => {
    const m = await p.result;
    const metrics: EpochMetrics = { ...p.train, precision: m.precision, recall: m.recall, map50: m.map50, map5095: m.map5095 };
    history.push(metrics);
    lastEval = m;
    // The dashboard's validation images: the evaluation's own detections, when it returned them.
    const images = valImagesOf(m);
    if (images?.length) {
      await writeValImages(opts.runDir, images, { epoch: p.epoch, names }).catch((e: unknown) =>
        log(`validation images of epoch ${p.epoch} not written: ${(e as Error).message}`),
      );
    }
    await opts.onEpoch?.(metrics);
    const fi = fitnessOf(m);
    if (fi > bestFitness) {
      bestFitness = fi;
      bestWritten = await writeFileAtomic(bestPath, p.checkpoint);
      await opts.onArtifact?.({ kind: 'checkpoint-best', ...bestWritten, epoch: p.epoch });
    }
  };

  const writeLast = async (p: TrainingPosition, epoch: number): Promise<Uint8Array> => {
    const bytes = encodeCheckpoint(snapshot(p));
    lastWritten = await writeFileAtomic(lastPath, bytes);
    await opts.onArtifact?.({ kind: 'checkpoint-last', ...lastWritten, epoch });
    return bytes;
  };

  // An evaluation lost with an interrupted run (its epoch finished, its metrics did not arrive).
  if (position.batch === 0 && position.epoch > 0 && history.length < position.epoch && position.pendingEpoch) {
    const e = position.epoch - 1;
    await settle({ epoch: e, train: position.pendingEpoch, result: evaluate(e, position.iteration - 1 < nw), checkpoint: encodeCheckpoint(snapshot(position)) });
  }

  let status: TrainResult['status'] = 'done';
  const stepLocal = (part: BatchPart, epoch: number, iteration: number): Promise<GradientStepResult> =>
    computeGradientsChunked({ model, trainable, ...part, lossMeta, hyp: lossHyp, strategies, epoch, iteration }, microBatch);

  try {
    epochs: for (let epoch = position.epoch; epoch < config.epochs; epoch++) {
      const from = epoch === position.epoch ? position.batch : 0;
      const meter = from > 0 ? LossMeter.restore(position.epochLossSums) : new LossMeter();
      let images = from > 0 ? (position.epochImages ?? 0) : 0;
      let seconds = from > 0 ? (position.epochSeconds ?? 0) : 0;
      let lr = 0;
      let ni = epoch * nb + from;
      let i = 0;
      let t0 = performance.now();
      for await (const batch of trainLoader.epoch(epoch)) {
        if (i >= nb) break;
        if (i < from) {
          // Resuming mid-epoch: the same batches are drawn (same seeds) and skipped.
          i++;
          t0 = performance.now();
          continue;
        }
        ni = i + nb * epoch;
        const s = iterationSettings(ni, epoch, schedule);
        optimizer.groups.forEach((g, k) => {
          g.lr = s.lrs[k];
          if (optimizer.kind === 'sgd') g.momentum = s.momentum;
        });
        lr = s.lrs[1];
        const part = batchPart(batch);
        const at = { epoch, iteration: ni };
        const result = pool ? await pool.gradients(part, at, (p) => stepLocal(p, epoch, ni)) : await stepLocal(part, epoch, ni);
        if (!Number.isFinite(result.losses.loss)) {
          result.grads.forEach((g) => g.dispose());
          throw new Error(`non-finite loss at epoch ${epoch}, batch ${i} (lbox ${result.losses.lbox}, lobj ${result.losses.lobj}, lcls ${result.losses.lcls})`);
        }
        acc.add(result.grads);
        const stepped = ni % s.accumulate === 0;
        if (stepped) {
          optimizer.step(acc.grads);
          acc.reset();
          ema.update(model.stateDict());
          pool?.publish(trainable);
        }
        for (const st of strategies) st.afterStep?.();
        meter.add(result.losses);
        images += batch.shape[0];
        const now = performance.now();
        seconds += (now - t0) / 1000;
        t0 = now;
        i++;
        opts.onStep?.({
          epoch,
          epochs: config.epochs,
          step: i - 1,
          stepsPerEpoch: nb,
          iteration: ni,
          lbox: meter.mean('lbox'),
          lobj: meter.mean('lobj'),
          lcls: meter.mean('lcls'),
          total: meter.mean('total'),
          loss: result.losses.loss,
          lr,
          optimizerStep: stepped,
          imagesPerSec: images / Math.max(seconds, 1e-9),
          images,
        });
        if (opts.signal?.aborted && i < nb) {
          if (pending) await settle(pending);
          pending = undefined;
          const p: TrainingPosition = {
            ...position,
            epoch,
            batch: i,
            iteration: ni + 1,
            batchesPerEpoch: nb,
            emaUpdates: ema.updates,
            pendingBatches: acc.count,
            bestFitness,
            epochLossSums: meter.snapshot(),
            epochImages: images,
            epochSeconds: seconds,
            pendingEpoch: undefined,
            history: [...history],
          };
          await writeLast(p, epoch);
          status = 'interrupted';
          log(`interrupted at epoch ${epoch}, batch ${i}; checkpoint ${lastPath}`);
          break epochs;
        }
      }

      // ---- end of epoch: evaluate the EMA weights, checkpoint
      const trainPart: Omit<EpochMetrics, keyof EvalMetrics> = {
        epoch,
        lbox: meter.mean('lbox'),
        lobj: meter.mean('lobj'),
        lcls: meter.mean('lcls'),
        ...(meter.has('ldistill') ? { ldistill: meter.mean('ldistill') } : {}),
        ...(meter.has('lsparsity') ? { lsparsity: meter.mean('lsparsity') } : {}),
        total: meter.mean('total'),
        lr,
        imagesPerSec: images / Math.max(seconds, 1e-9),
        seconds,
      };
      if (pending) await settle(pending);
      pending = undefined;
      const final = epoch + 1 === config.epochs;
      const doEval = final || (epoch + 1) % config.eval.every === 0;
      const p: TrainingPosition = {
        ...position,
        epoch: epoch + 1,
        batch: 0,
        iteration: (epoch + 1) * nb,
        batchesPerEpoch: nb,
        emaUpdates: ema.updates,
        pendingBatches: acc.count,
        bestFitness,
        epochLossSums: undefined,
        epochImages: undefined,
        epochSeconds: undefined,
        pendingEpoch: trainPart,
        history: [...history],
      };
      if (!doEval) {
        const m: EpochMetrics = { ...trainPart, precision: NaN, recall: NaN, map50: NaN, map5095: NaN };
        history.push(m);
        await opts.onEpoch?.(m);
        await writeLast({ ...p, pendingEpoch: undefined, history: [...history] }, epoch);
      } else if (opts.evaluator && !final) {
        // Overlap: the pool evaluates this epoch while the next one trains.
        const checkpoint = await writeLast(p, epoch);
        pending = { epoch, train: trainPart, result: evaluate(epoch, ni < nw), checkpoint };
        pending.result.catch(() => undefined);
      } else {
        const result = evaluate(epoch, ni < nw);
        const m = await result;
        const checkpointPosition = { ...p, pendingEpoch: undefined, history: [...history, { ...trainPart, ...pick(m) }], bestFitness: Math.max(bestFitness, fitnessOf(m)) };
        const checkpoint = await writeLast(checkpointPosition, epoch);
        await settle({ epoch, train: trainPart, result: Promise.resolve(m), checkpoint });
      }
      log(formatEpoch(history[history.length - 1] ?? { ...trainPart, precision: NaN, recall: NaN, map50: NaN, map5095: NaN }, config.epochs, pending !== undefined));
      if (opts.signal?.aborted && !final) {
        if (pending) await settle(pending);
        pending = undefined;
        status = 'interrupted';
        log(`interrupted after epoch ${epoch}; checkpoint ${lastPath}`);
        break;
      }
    }
    if (pending) await settle(pending);
    pending = undefined;

    const prof = (model as { profile?(h: number, w: number, fused?: boolean): { macs: number } }).profile?.(config.img, config.img, true);
    const finalMetrics: FinalMetrics = {
      precision: lastEval?.precision ?? NaN,
      recall: lastEval?.recall ?? NaN,
      map50: lastEval?.map50 ?? NaN,
      map5095: lastEval?.map5095 ?? NaN,
      params: model.numParameters(),
      gmacs: prof ? prof.macs / 1e9 : NaN,
      img: config.img,
    };
    return { status, final: finalMetrics, epochs: history, last: lastWritten?.path, best: bestWritten?.path };
  } finally {
    await pool?.close();
    strategies.forEach((s) => s.dispose());
    optimizer.dispose();
    acc.reset();
    model.dispose();
    emaModel.dispose();
  }
}

function pick(m: EvalMetrics): EvalMetrics {
  return { precision: m.precision, recall: m.recall, map50: m.map50, map5095: m.map5095 };
}

function batchPart(b: Batch): BatchPart {
  return { images: b.images, shape: b.shape, targets: b.targets, nTargets: b.nTargets };
}

function extraState(strategies: TrainingStrategy[]): TrainingCheckpoint['extra'] {
  const out: TrainingCheckpoint['extra'] = new Map();
  strategies.forEach((s, i) =>
    (s.trainableModules?.() ?? []).forEach((m, j) => {
      for (const [k, v] of toPlain(new Map(m.namedParameters()))) out.set(`${i}.${j}.${k}`, v);
    }),
  );
  return out;
}

/**
 * A prune stage fine-tunes a smaller network: prune `weights` once (the result is kept in the run folder,
 * so a resumed run finds the same architecture), then train that network from the pruned weights.
 */
async function prunedStartingPoint(
  config: RunConfig,
  opts: TrainOptions,
  log: (l: string) => void,
): Promise<{ yaml: string; configName: string; checkpoint: string }> {
  if (!config.prune) throw new Error('unreachable: no prune spec');
  if (!config.weights) throw new Error('prune: a prune stage needs `weights` (the sparsity-trained checkpoint to prune)');
  const { pruneCheckpoint } = await import('../pruning/node.ts');
  const out = path.join(opts.runDir, 'pruned.safetensors');
  const yamlPath = path.join(opts.runDir, 'pruned.yaml');
  const configName = `${path.basename(config.model).replace(/\.ya?ml$/, '')}-pruned`;
  try {
    const yaml = await readFile(yamlPath, 'utf8');
    log(`prune: using the pruned network already in ${opts.runDir}`);
    return { yaml, configName, checkpoint: out };
  } catch {
    const r = await pruneCheckpoint({ weights: config.weights, spec: config.prune, out, model: config.model, img: config.img, log });
    const bytes = await readFile(r.checkpoint);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await opts.onArtifact?.({ kind: 'pruned-model', path: r.checkpoint, bytes: bytes.length, sha256, epoch: null });
    return { yaml: await readFile(r.yamlPath, 'utf8'), configName, checkpoint: r.checkpoint };
  }
}

async function loadInitialWeights(
  model: TrainableDetector,
  file: string,
  log: (l: string) => void,
  { strict = false }: { strict?: boolean } = {},
): Promise<void> {
  const { readSafetensorsFile } = await import('@distillery/models/node');
  const { importTorch } = await import('@distillery/models');
  const safe = await readSafetensorsFile(file);
  if (safe.metadata.format === (await import('../checkpoint/training-state.ts')).CHECKPOINT_FORMAT) {
    const ckpt = await readCheckpoint(file);
    const tensors = new Map([...ckpt.ema].filter(([k]) => model.stateDict().get(k)?.shape.join() === ckpt.ema.get(k)?.shape.join()));
    loadPlain({ loadStateDict: (v, o) => model.loadStateDict(v, { ...o, strict: false }) }, tensors, file);
    log(`weights: ${tensors.size} tensors from the Distillery checkpoint ${file}`);
    return;
  }
  // Upstream PyTorch weights: keep what fits by name and shape, as train.py does.
  const report = importTorch(model as unknown as Parameters<typeof importTorch>[0], safe, { strict, source: file });
  log(`weights: ${report.loaded.length} tensors from ${file} (${report.missing.length} missing, ${report.mismatched.length} mis-shaped, ${report.unexpected.length} unused)`);
}

function formatEpoch(m: EpochMetrics, epochs: number, evalPending: boolean): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '—');
  return (
    `epoch ${m.epoch + 1}/${epochs}: lbox ${f(m.lbox)} lobj ${f(m.lobj)} lcls ${f(m.lcls)} total ${f(m.total)} lr ${m.lr.toExponential(3)} ` +
    (evalPending ? 'eval pending ' : `P ${f(m.precision)} R ${f(m.recall)} mAP@.5 ${f(m.map50)} mAP@.5:.95 ${f(m.map5095)} `) +
    `${m.imagesPerSec.toFixed(2)} img/s ${m.seconds.toFixed(1)} s`
  );
}

export type { WrittenFile };
export { writeCheckpoint };
