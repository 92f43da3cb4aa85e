/**
 * Golden checker for model cases: every folder under DIR holding `weights.safetensors`, `io.safetensors`
 * and `meta.json` (the config name is meta.json's `config`). Quantities: `eval.raw.<i>`, `eval.decoded`
 * (decoding of the reference raw: float32-exact up to σ's last ulp), `eval.decoded.end_to_end`,
 * `train.raw.<i>`, `grad.<param>` (through core's `computeLoss`), `bn_after_train_forward`.
 * Runs on the current tfjs backend.
 */
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { checkModelCase, findModelCases, loadModelCase, type CaseLoss } from '@distillery/models/node';
import { check, skipped, type GoldenCheck } from './types.ts';

/** core's detection loss, if core provides it (the gradient checks need it). */
async function detectionLoss(): Promise<CaseLoss | undefined> {
  try {
    const core = (await import('@distillery/core')) as Record<string, unknown>;
    const computeLoss = core.computeLoss as
      | ((raw: tf.Tensor5D[], targets: ArrayLike<number>, meta: unknown, hyp: unknown) => { total: tf.Scalar; lbox: tf.Scalar; lobj: tf.Scalar; lcls: tf.Scalar })
      | undefined;
    const lossMeta = core.lossMetaFromModel as ((m: unknown) => { nc: number; anchors: unknown; gr?: number }) | undefined;
    if (typeof computeLoss !== 'function' || typeof lossMeta !== 'function') return undefined;
    return (raw, c) => {
      const meta = { ...lossMeta(c.model), gr: typeof c.meta.model_gr === 'number' ? c.meta.model_gr : 1.0 };
      const l = computeLoss(raw, c.targets ?? [], meta, c.meta.hyp);
      l.lbox.dispose();
      l.lobj.dispose();
      l.lcls.dispose();
      return l.total;
    };
  } catch {
    return undefined;
  }
}

export async function checkModels(dir: string): Promise<GoldenCheck[]> {
  const out: GoldenCheck[] = [];
  const loss = await detectionLoss();
  for (const caseDir of findModelCases(dir)) {
    const name = path.relative(dir, caseDir) || path.basename(caseDir);
    let c;
    try {
      c = await loadModelCase(caseDir, dir);
    } catch (e) {
      out.push({ ...check(`${name}/load`, Infinity, 0), detail: (e as Error).message });
      continue;
    }
    try {
      for (const k of await checkModelCase(c, { loss })) {
        out.push(k.skipped ? skipped(`${name}/${k.quantity}`, k.detail ?? 'not checkable yet') : check(`${name}/${k.quantity}`, k.err, k.tol, k.detail));
      }
    } catch (e) {
      out.push({ ...check(`${name}/compare`, Infinity, 0), detail: (e as Error).message });
    } finally {
      c.dispose();
    }
  }
  return out;
}

export default checkModels;
