/**
 * One batch's backward pass, shared by the single-thread loop and the data-parallel replicas:
 * strategies' `beforeStep` (outside the tape), then inside `tf.variableGrads` the student's train-mode
 * forward, upstream's `compute_loss` and every strategy's extra term. Returns the gradient of every
 * trained variable by its state_dict-style name, and the loss items as numbers.
 */
// The models package registers tfjs's gradient functions (tfjs-core alone ships none) — needed here.
import '@distillery/models';
import * as tf from '@tensorflow/tfjs-core';
import { computeLoss } from '../loss/compute-loss.ts';
import type { LossHyp, LossModelMeta } from '../loss/hyp.ts';
import type { Detector, TrainingStrategy } from '../strategies/strategy.ts';
import { combineShareLosses } from './parallel/combine-losses.ts';
import { splitBatch } from './parallel/shards.ts';


export interface GradientStepInput {
  model: Detector;
  /** Trained variables by name (student parameters, then strategy modules as `extra.<i>.<key>`). */
  trainable: ReadonlyMap<string, tf.Variable>;
  /** NHWC `[b, h, w, 3]` in [0, 1]. */
  images: Float32Array;
  shape: readonly [number, number, number];
  targets: Float32Array;
  nTargets: number;
  lossMeta: LossModelMeta;
  hyp: LossHyp;
  strategies: readonly TrainingStrategy[];
  epoch: number;
  iteration: number;
  /** false for a gradient-only replica whose BN running statistics nobody reads. Default true. */
  updateStats?: boolean;
}

/** Loss items of one batch (upstream `loss_items`: components after gains, not ×bs) plus strategies' items. */
export interface StepLosses {
  lbox: number;
  lobj: number;
  lcls: number;
  /** The minimised value: `(lbox + lobj + lcls)·bs + Σ strategy terms`. */
  loss: number;
  /** Strategy items by name (e.g. `ldistill`, `lsparsity`), as returned by `extraLoss`. */
  extra: Record<string, number>;
}

export interface GradientStepResult {
  grads: Map<string, tf.Tensor>;
  losses: StepLosses;
}

export async function computeGradients(inp: GradientStepInput): Promise<GradientStepResult> {
  const [b, h, w] = inp.shape;
  const images = tf.tensor4d(inp.images, [b, h, w, 3]);
  try {
    const batch = { images, targets: inp.targets, nTargets: inp.nTargets, epoch: inp.epoch, iteration: inp.iteration };
    for (const s of inp.strategies) await s.beforeStep?.(batch);
    const features = [...new Set(inp.strategies.flatMap((s) => s.studentFeatureLayers?.() ?? []))].sort((x, y) => x - y);
    const names = new Map<string, string>();
    for (const [key, v] of inp.trainable) names.set(v.name, key);
    const kept: Record<string, tf.Scalar> = {};
    const { value, grads } = tf.variableGrads(() => {
      const out = inp.model.forward(images, { training: true, updateStats: inp.updateStats ?? true, features });
      const det = computeLoss(out.raw, inp.targets.subarray(0, inp.nTargets * 6), inp.lossMeta, inp.hyp);
      let total: tf.Scalar = det.total;
      for (const s of inp.strategies) {
        const extra = s.extraLoss({ ...batch, batchSize: b, student: out, hyp: inp.hyp });
        total = tf.add(total, extra.total);
        for (const [k, v] of Object.entries(extra.items)) {
          const prev = kept[k];
          kept[k] = tf.keep(prev ? tf.add(prev, v) : v);
          prev?.dispose();
        }
      }
      kept.lbox = tf.keep(det.lbox);
      kept.lobj = tf.keep(det.lobj);
      kept.lcls = tf.keep(det.lcls);
      return total;
    }, [...inp.trainable.values()]);
    const losses: StepLosses = { lbox: 0, lobj: 0, lcls: 0, loss: value.dataSync()[0], extra: {} };
    value.dispose();
    for (const [k, t] of Object.entries(kept)) {
      const v = t.dataSync()[0];
      if (k === 'lbox' || k === 'lobj' || k === 'lcls') losses[k] = v;
      else losses.extra[k] = v;
      t.dispose();
    }
    const byKey = new Map<string, tf.Tensor>();
    for (const [vname, g] of Object.entries(grads)) byKey.set(names.get(vname) ?? vname, g);
    return { grads: byKey, losses };
  } finally {
    images.dispose();
  }
}

/**
 * The same, in chunks of at most `maxImages` images whose gradients are summed (gradient accumulation
 * inside one batch): bounds the memory of one backward pass. Semantics as data-parallel shares —
 * per-chunk BN statistics and loss means (see parallel/replica-pool.ts).
 */
export async function computeGradientsChunked(inp: GradientStepInput, maxImages: number | undefined): Promise<GradientStepResult> {
  const b = inp.shape[0];
  if (!maxImages || b <= maxImages) return computeGradients(inp);
  const parts = splitBatch({ images: inp.images, shape: [...inp.shape] as [number, number, number], targets: inp.targets, nTargets: inp.nTargets }, Math.ceil(b / maxImages));
  const sums = new Map<string, tf.Tensor>();
  const losses: StepLosses[] = [];
  for (const part of parts) {
    const r = await computeGradients({ ...inp, ...part });
    losses.push(r.losses);
    for (const [k, g] of r.grads) {
      const prev = sums.get(k);
      if (prev) {
        sums.set(k, tf.add(prev, g));
        prev.dispose();
        g.dispose();
      } else sums.set(k, g);
    }
  }
  return { grads: sums, losses: combineShareLosses(losses, parts.map((p) => p.shape[0])) };
}

/**
 * Largest chunk that one wasm backward pass of a YOLO network survives at this input size with margin.
 * The wasm heap tops out at 4 GiB; with the fused training BN (the tape keeps only x and the statistics)
 * mobile-yolo5s_voc peaks at ~3.1 GB for 8 images at 320², so 4 images (~1.6 GB) leave room for a
 * fragmented heap and a teacher. Bigger chunks also keep BN batch statistics closer to upstream's
 * full-batch ones. Other backends: no limit.
 */
export function defaultMicroBatch(backend: string, img: number): number | undefined {
  return backend === 'wasm' ? Math.max(1, Math.floor((4 * 320 * 320) / (img * img))) : undefined;
}
