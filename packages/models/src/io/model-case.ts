/**
 * Golden model cases (Node only): a folder holding `weights.safetensors` (upstream state_dict),
 * `io.safetensors` (reference outputs) and `meta.json` (`config`, …); the input batch is
 * `inputs.safetensors` in that folder or the nearest parent folder. Used by the tests and by
 * `pnpm trainer golden`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { SafeFile } from './safetensors.ts';
import { readSafetensorsFile } from './read-safetensors-file.ts';
import { findCaseFolders } from './case-folders.ts';
import { buildModel } from '../zoo/build.ts';
import { getZooConfig } from '../zoo/zoo.ts';
import { importTorch } from '../torch/import.ts';
import { toTorch } from '../torch/layout.ts';
import type { YoloModel } from '../zoo/yolo-model.ts';
import { RAW_TOLERANCES, rawOutputChecks } from '../reference/raw-output-checks.ts';
import { maxAbsDiff, maxRelDiff } from '../reference/differences.ts';

/** Tolerances; the raw logits' bound is reference/raw-output-checks.ts's (RAW_TOLERANCES). */
export const MODEL_CASE_TOLERANCES = Object.freeze({
  raw: RAW_TOLERANCES,
  /**
   * Decoding the reference raw: σ composed as PyTorch does (`torchSigmoid`), then upstream's float32
   * arithmetic, so values are bit-exact except where PyTorch's SLEEF exp differs from ours by an ulp:
   * ≤ 4.3e-7 relative (max |Δ|/max(1, |ref|)) on both backends.
   */
  decodedFromReferenceRaw: 1e-6,
  /** End-to-end decoded (raw error propagated through σ, ×stride, ²·anchor), relative. */
  decodedEndToEnd: 3e-3,
  bnRunningStats: 1e-4,
  /** Gradients: README's 3e-2 × max|g|. */
  gradients: 3e-2,
});

export interface CaseCheck {
  quantity: string;
  err: number;
  tol: number;
  skipped?: true;
  detail?: string;
}

export interface ModelCaseMeta {
  config: string;
  nc?: number;
  hyp?: Record<string, number | boolean>;
  model_gr?: number;
  [key: string]: unknown;
}

/** Folders under `root` (itself included) that look like model cases, sorted. */
export function findModelCases(root: string): string[] {
  const files = ['weights.safetensors', 'io.safetensors', 'meta.json'];
  return findCaseFolders(root, (_dir, names) => files.every((f) => names.includes(f)), 7).sort();
}

/** `inputs.safetensors` in the case folder or the nearest parent (not above `root`). */
export function findCaseInputs(caseDir: string, root: string): string | undefined {
  let dir = path.resolve(caseDir);
  const stop = path.resolve(root);
  for (;;) {
    const p = path.join(dir, 'inputs.safetensors');
    if (existsSync(p)) return p;
    if (dir === stop || path.dirname(dir) === dir) return undefined;
    dir = path.dirname(dir);
  }
}

export interface LoadedModelCase {
  dir: string;
  meta: ModelCaseMeta;
  model: YoloModel;
  /** NHWC input. */
  input: tf.Tensor4D;
  targets?: Float32Array;
  io: SafeFile;
  dispose(): void;
}

export async function loadModelCase(caseDir: string, root: string): Promise<LoadedModelCase> {
  const metaPath = path.join(caseDir, 'meta.json');
  let meta: ModelCaseMeta;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8')) as ModelCaseMeta;
  } catch (e) {
    throw new Error(`${metaPath}: cannot read JSON (${(e as Error).message})`);
  }
  if (typeof meta.config !== 'string') throw new Error(`${metaPath}: no 'config' (the model YAML name)`);
  const yaml = getZooConfig(path.basename(meta.config));
  if (!yaml) throw new Error(`${metaPath}: config '${meta.config}' is not a shipped model config`);
  const inputsPath = findCaseInputs(caseDir, root);
  if (!inputsPath) throw new Error(`${caseDir}: no inputs.safetensors in the case folder or above it`);
  const [weights, io, inputs] = await Promise.all([
    readSafetensorsFile(path.join(caseDir, 'weights.safetensors')),
    readSafetensorsFile(path.join(caseDir, 'io.safetensors')),
    readSafetensorsFile(inputsPath),
  ]);
  const inp = inputs.tensors.get('input');
  if (!inp || inp.shape.length !== 4) throw new Error(`${inputsPath}: no 4-d 'input' tensor`);
  const model = buildModel(yaml, { init: 'zeros', nc: meta.nc, configName: path.basename(meta.config).replace(/\.yaml$/, '') });
  try {
    importTorch(model, weights, { source: path.join(caseDir, 'weights.safetensors') });
  } catch (e) {
    model.dispose();
    throw e;
  }
  const input = tf.tidy(() => tf.transpose(tf.tensor4d(inp.data as Float32Array, inp.shape as [number, number, number, number]), [0, 2, 3, 1]));
  const t = io.tensors.get('targets') ?? inputs.tensors.get('targets');
  return {
    dir: caseDir,
    meta,
    model,
    input,
    targets: t ? Float32Array.from(t.data) : undefined,
    io,
    dispose() {
      model.dispose();
      input.dispose();
    },
  };
}

/** The loss the gradient check differentiates (core's `computeLoss(...).total`), injected by the caller. */
export type CaseLoss = (raw: tf.Tensor5D[], c: LoadedModelCase) => tf.Scalar;

/** Compares every quantity of a model case on the current backend. */
export async function checkModelCase(c: LoadedModelCase, options: { loss?: CaseLoss } = {}): Promise<CaseCheck[]> {
  const T = MODEL_CASE_TOLERANCES;
  const checks: CaseCheck[] = [];
  const ref = (name: string) => c.io.tensors.get(name);
  const levels = [...c.io.tensors.keys()].filter((k) => /^eval\.raw\.\d+$/.test(k)).length;

  // Eval mode: raw levels, decoded end to end, and decoding alone applied to the reference raw.
  const ev = c.model.forward(c.input, { training: false });
  try {
    checks.push(...rawOutputChecks(c.model, c.input, false, ev.raw, ev.raw.map((_, i) => ref(`eval.raw.${i}`)), (i) => `eval.raw.${i}`));
    const gd = ref('eval.decoded');
    if (gd && ev.decoded) {
      checks.push({ quantity: 'eval.decoded.end_to_end', err: maxRelDiff(values(ev.decoded), gd.data), tol: T.decodedEndToEnd });
      const refRaw = Array.from({ length: levels }, (_, i) => {
        const g = ref(`eval.raw.${i}`)!;
        return tf.tensor5d(g.data as Float32Array, g.shape as [number, number, number, number, number]);
      });
      const dec = c.model.detect.decode(refRaw);
      checks.push({ quantity: 'eval.decoded', err: maxRelDiff(values(dec), gd.data), tol: T.decodedFromReferenceRaw, detail: 'decoding of the reference eval.raw' });
      dec.dispose();
      refRaw.forEach((t) => t.dispose());
    }
  } finally {
    ev.raw.forEach((t) => t.dispose());
    ev.decoded?.dispose();
  }

  // Train mode (batch statistics), without touching the running stats first.
  const tr = c.model.forward(c.input, { training: true, updateStats: false });
  try {
    checks.push(...rawOutputChecks(c.model, c.input, true, tr.raw, tr.raw.map((_, i) => ref(`train.raw.${i}`)), (i) => `train.raw.${i}`));
  } finally {
    tr.raw.forEach((r) => r.dispose());
  }

  // Gradients of the detection loss (needs the loss, which lives in core).
  const gradsPath = path.join(c.dir, 'grads.safetensors');
  if (existsSync(gradsPath)) {
    const grads = await readSafetensorsFile(gradsPath);
    const names = [...grads.tensors.keys()].filter((k) => k.startsWith('grad.')).map((k) => k.slice(5));
    if (!options.loss || !c.targets) {
      for (const n of names) checks.push({ quantity: `grad.${n}`, err: NaN, tol: T.gradients, skipped: true, detail: 'needs the detection loss (core computeLoss)' });
    } else {
      try {
        const loss = options.loss;
        const entries = new Map(c.model.namedEntries());
        const params = c.model.namedParameters();
        const vars = names.map((n) => params.get(n)).filter((v): v is tf.Variable => v !== undefined);
        const { grads: g, value } = tf.variableGrads(() => loss(c.model.forward(c.input, { training: true, updateStats: false }).raw, c), vars);
        value.dispose();
        for (const n of names) {
          const v = params.get(n);
          const refG = grads.tensors.get(`grad.${n}`)!;
          if (!v) {
            checks.push({ quantity: `grad.${n}`, err: Infinity, tol: T.gradients, detail: 'no such parameter' });
            continue;
          }
          const mine = tf.tidy(() => toTorch(g[v.name], entries.get(n)!.layout));
          let scale = 0;
          for (let i = 0; i < refG.data.length; i++) scale = Math.max(scale, Math.abs(refG.data[i]));
          checks.push({ quantity: `grad.${n}`, err: maxAbsDiff(values(mine), refG.data) / (scale || 1), tol: T.gradients, detail: 'max |Δ| / max |g|' });
          mine.dispose();
        }
        Object.values(g).forEach((t) => t.dispose());
      } catch (e) {
        // A missing kernel (or a loss problem) fails these checks, not the whole case.
        for (const n of names) checks.push({ quantity: `grad.${n}`, err: Infinity, tol: T.gradients, detail: (e as Error).message });
      }
    }
  }

  // BN running statistics after one training-mode forward (which updates them).
  const bnPath = path.join(c.dir, 'bn_after_train_forward.safetensors');
  if (existsSync(bnPath)) {
    const bn = await readSafetensorsFile(bnPath);
    const before = new Map([...c.model.namedBuffers()].map(([k, v]) => [k, v.dataSync().slice()]));
    const r = c.model.forward(c.input, { training: true });
    r.raw.forEach((t) => t.dispose());
    const buffers = c.model.namedBuffers();
    let err = 0;
    let missing = '';
    for (const [k, t] of bn.tensors) {
      const mine = buffers.get(k);
      if (!mine) {
        missing ||= k;
        continue;
      }
      err = Math.max(err, maxAbsDiff(mine.dataSync(), t.data));
    }
    checks.push({ quantity: 'bn_after_train_forward', err: missing ? Infinity : err, tol: T.bnRunningStats, detail: missing ? `no buffer ${missing}` : `${bn.tensors.size} tensors` });
    // Restore, so the model is as loaded.
    tf.tidy(() => {
      for (const [k, v] of buffers) v.assign(tf.tensor(before.get(k)!, v.shape, v.dtype));
    });
  }
  return checks;
}

function values(t: tf.Tensor): Float32Array | Int32Array | Uint8Array {
  return t.dataSync();
}
