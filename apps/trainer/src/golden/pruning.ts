/**
 * Golden checker for pruning cases: every folder under DIR holding a `meta.json` with `runs` and a
 * `pruned_outputs.safetensors`. Its model case (weights) is found by the config meta.json names
 * (`"model": "<config>, weights <path>"`), among the model cases under DIR. Per run (the spec is read
 * from the recorded `pruning.channel_prune(...)` call): threshold, params before/after, fused thop
 * params and GMACs, per BN layer the kept channel indices, every pruned state_dict shape, and the pruned
 * model's eval-mode raw outputs on the case input (2e-4 absolute, the README's raw-output tolerance).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, exportTorch, getZooConfig, importTorch, rawOutputChecks, type YoloModel } from '@distillery/models';
import { findCaseFolders, findCaseInputs, findModelCases, readSafetensorsFile } from '@distillery/models/node';
import { pruneModel, type PruneSpec } from '@distillery/core';
import { check, skipped, type GoldenCheck } from './types.ts';

interface GoldenLayer {
  bn: string;
  channels_after: number;
  kept_channel_indices: number[];
}

interface GoldenRun {
  call?: string;
  threshold?: number;
  params_before?: number;
  params_after?: number;
  cal_flop_fused_thop_params?: number;
  cal_flop_fused_thop_GMACs_640?: number;
  layers?: GoldenLayer[];
  pruned_state_dict_shapes?: Record<string, number[]>;
}

interface PruningMeta {
  model?: string;
  runs: Record<string, GoldenRun>;
}

/** Folders under `root` (itself included) holding a pruning case. */
export function findPruningCases(root: string): string[] {
  const isPruningCase = (dir: string, names: readonly string[]) => {
    if (!names.includes('meta.json') || !names.includes('pruned_outputs.safetensors')) return false;
    try {
      const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Partial<PruningMeta>;
      return Boolean(meta.runs && typeof meta.runs === 'object');
    } catch {
      return false; // not JSON: not a pruning case
    }
  };
  return findCaseFolders(root, isPruningCase, 7).sort();
}

/** The spec of `pruning.channel_prune(..., pruned_prob=P, thres=T)`: a threshold unless it is None. */
export function specFromCall(call: string): PruneSpec | undefined {
  const thres = /thres\s*=\s*([^,)\s]+)/.exec(call)?.[1];
  if (thres !== undefined && thres !== 'None') return { mode: 'threshold', threshold: Number(thres) };
  const prob = /pruned_prob\s*=\s*([^,)\s]+)/.exec(call)?.[1];
  if (prob !== undefined && Number.isFinite(Number(prob))) return { mode: 'ratio', ratio: Number(prob) };
  return undefined;
}

/** `"<config>, weights <path>"` → the model case folder whose meta.json names that config. */
function locateModelCase(root: string, caseDir: string, model: string): { config: string; weights: string } {
  const config = model.split(',')[0].trim().replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  const named = /weights\s+(\S+)/.exec(model)?.[1];
  const hinted = named ? path.resolve(caseDir, named) : undefined;
  const matches = findModelCases(root).filter((d) => {
    try {
      const c = (JSON.parse(readFileSync(path.join(d, 'meta.json'), 'utf8')) as { config?: string }).config ?? '';
      return path.basename(c).replace(/\.ya?ml$/, '') === config;
    } catch {
      return false;
    }
  });
  const pick = matches.find((d) => path.join(d, 'weights.safetensors') === hinted) ?? matches[0];
  if (pick) return { config, weights: path.join(pick, 'weights.safetensors') };
  if (hinted && existsSync(hinted)) return { config, weights: hinted };
  throw new Error(`no model case for config '${config}' under ${root}`);
}

function keptError(ours: number[] | undefined, ref: number[]): number {
  if (!ours) return Infinity;
  const a = new Set(ours);
  const b = new Set(ref);
  let diff = Math.abs(ours.length - ref.length);
  for (const k of a) if (!b.has(k)) diff++;
  for (const k of b) if (!a.has(k)) diff++;
  return diff;
}

export async function checkPruning(dir: string): Promise<GoldenCheck[]> {
  const out: GoldenCheck[] = [];
  for (const caseDir of findPruningCases(dir)) {
    const name = path.relative(dir, caseDir) || path.basename(caseDir);
    let model: YoloModel | undefined;
    let input: tf.Tensor4D | undefined;
    try {
      const meta = JSON.parse(readFileSync(path.join(caseDir, 'meta.json'), 'utf8')) as PruningMeta;
      const located = locateModelCase(dir, caseDir, meta.model ?? '');
      const yaml = getZooConfig(located.config);
      if (!yaml) throw new Error(`config '${located.config}' is not a shipped model config`);
      model = buildModel(yaml, { configName: located.config });
      importTorch(model, await readSafetensorsFile(located.weights), { source: located.weights });
      const inputsPath = findCaseInputs(caseDir, dir);
      if (!inputsPath) throw new Error(`${caseDir}: no inputs.safetensors in the case folder or above it`);
      const inp = (await readSafetensorsFile(inputsPath)).tensors.get('input');
      if (!inp || inp.shape.length !== 4) throw new Error(`${inputsPath}: no 4-d 'input' tensor`);
      const [, c, h, w] = inp.shape;
      // The README: the pruned model on input[0:1].
      input = tf.tidy(() => tf.transpose(tf.tensor4d((inp.data as Float32Array).slice(0, c * h * w), [1, c, h, w]), [0, 2, 3, 1]));
      const outputs = await readSafetensorsFile(path.join(caseDir, 'pruned_outputs.safetensors'));
      for (const [run, ref] of Object.entries(meta.runs)) {
        out.push(...checkRun(`${name}/${run}`, run, ref, model, input, outputs.tensors));
      }
    } catch (e) {
      out.push({ ...check(`${name}/load`, Infinity, 0), detail: (e as Error).message });
    } finally {
      model?.dispose();
      input?.dispose();
    }
  }
  return out;
}

function checkRun(
  prefix: string,
  run: string,
  ref: GoldenRun,
  model: YoloModel,
  input: tf.Tensor4D,
  outputs: Map<string, { shape: number[]; data: ArrayLike<number> }>,
): GoldenCheck[] {
  const spec = ref.call ? specFromCall(ref.call) : undefined;
  if (!spec) return [skipped(`${prefix}/spec`, `cannot read the pruning spec from ${JSON.stringify(ref.call ?? null)}`)];
  const checks: GoldenCheck[] = [];
  const r = pruneModel(model, spec, { source: prefix });
  try {
    if (ref.threshold !== undefined) checks.push(check(`${prefix}/threshold`, Math.abs(r.threshold - ref.threshold), 0));
    if (ref.params_before !== undefined) checks.push(check(`${prefix}/params_before`, Math.abs(r.before.params - ref.params_before), 0));
    if (ref.params_after !== undefined) checks.push(check(`${prefix}/params_after`, Math.abs(r.after.params - ref.params_after), 0));
    if (ref.cal_flop_fused_thop_params !== undefined) {
      checks.push(check(`${prefix}/fused_params`, Math.abs(r.after.fusedParams - ref.cal_flop_fused_thop_params), 0));
    }
    if (ref.cal_flop_fused_thop_GMACs_640 !== undefined) {
      const at640 = r.img === 640 ? r.after.gmacs : Number.NaN;
      // The JSON keeps 7 decimals of the GMACs.
      checks.push(check(`${prefix}/fused_gmacs_640`, Math.abs(at640 - ref.cal_flop_fused_thop_GMACs_640), 5e-8));
    }
    const ours = new Map(r.layers.map((l) => [l.bn, l]));
    for (const l of ref.layers ?? []) {
      const o = ours.get(l.bn);
      checks.push(
        check(
          `${prefix}/kept.${l.bn}`,
          keptError(o?.keptChannelIndices, l.kept_channel_indices) + Math.abs((o?.channelsAfter ?? Infinity) - l.channels_after),
          0,
          o ? `${o.channelsAfter} kept, reference ${l.channels_after}` : 'no such prunable BN here',
        ),
      );
    }
    if (ref.pruned_state_dict_shapes) {
      const shapes = new Map([...exportTorch(r.model)].map(([k, t]) => [k, t.shape.join('x')]));
      const want = Object.entries(ref.pruned_state_dict_shapes);
      const bad = want.filter(([k, s]) => shapes.get(k) !== s.join('x')).map(([k]) => k);
      const extra = [...shapes.keys()].filter((k) => !(k in ref.pruned_state_dict_shapes!));
      checks.push(
        check(`${prefix}/pruned_state_dict_shapes`, bad.length + extra.length, 0, bad.length + extra.length ? `differ: ${[...bad, ...extra].slice(0, 5).join(', ')}` : undefined),
      );
    }
    const f = r.model.forward(input, { training: false, decode: false });
    try {
      const golden = f.raw.map((_, i) => outputs.get(`${run}.eval.raw.${i}`));
      for (const k of rawOutputChecks(r.model, input, false, f.raw, golden, (i) => `eval.raw.${i}`)) checks.push(check(`${prefix}/${k.quantity}`, k.err, k.tol, k.detail));
    } finally {
      f.raw.forEach((t) => t.dispose());
      f.features.forEach((t) => t.dispose());
      f.decoded?.dispose();
    }
  } finally {
    r.model.dispose();
  }
  return checks;
}

export default checkPruning;
