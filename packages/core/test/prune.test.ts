import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm2d, buildModel, exportTorch, importTorch, ModelConfigError, type YoloModel } from '@distillery/models';
import { readModelCheckpointFile, readSafetensorsFile, writeModelCheckpointFile } from '@distillery/models/node';
import { applyPruning, planPruning, pruneModel, PruneError, pruneThreshold, type PruningPlan } from '../src/pruning/index.ts';
import { pruneCheckpoint } from '../src/pruning/node.ts';
import { goldenDir, gradientsRegistered, hasGolden, readJson, useCpu } from './loss-golden.ts';

beforeAll(useCpu);

/** MobileNetV2 + YOLOv5 head, narrow: IR with t = 1 and a residual, strided and residual IRs, CSP, Concat. */
const TINY_MOBILE = `
nc: 2
depth_multiple: 1
width_multiple: 0.25
anchors:
  - [10,13, 16,30, 33,23]
  - [30,61, 62,45, 59,119]
  - [116,90, 156,198, 373,326]
backbone:
  [[-1, 1, Conv, [32, 3, 2]],
   [-1, 1, InvertedResidual, [16, 1, 1]],
   [-1, 1, InvertedResidual, [24, 2, 6]],
   [-1, 1, InvertedResidual, [24, 1, 6]],
   [-1, 1, InvertedResidual, [32, 2, 6]],
   [-1, 1, InvertedResidual, [64, 2, 6]],
   [-1, 1, InvertedResidual, [64, 1, 6]],
   [-1, 1, InvertedResidual, [96, 2, 6]],
  ]
head:
  [[-1, 1, BottleneckCSP, [128, False]],
   [-1, 1, nn.Conv2d, [na * (nc + 5), 1, 1]],
   [-2, 1, nn.Upsample, [None, 2, 'nearest']],
   [[-1, 6], 1, Concat, [1]],
   [-1, 1, Conv, [64, 1, 1]],
   [-1, 1, BottleneckCSP, [64, False]],
   [-1, 1, nn.Conv2d, [na * (nc + 5), 1, 1]],
   [-2, 1, nn.Upsample, [None, 2, 'nearest']],
   [[-1, 4], 1, Concat, [1]],
   [-1, 1, Conv, [32, 1, 1]],
   [-1, 1, BottleneckCSP, [32, False]],
   [-1, 1, nn.Conv2d, [na * (nc + 5), 1, 1]],
   [[], 1, Detect, [nc, anchors]],
  ]
`;

/** YOLOv5 layout, narrow: Focus, repeated Bottlenecks and CSP with shortcuts (residual adds), SPP. */
const TINY_V5 = `
nc: 2
depth_multiple: 0.67
width_multiple: 0.125
anchors:
  - [10,13, 16,30, 33,23]
  - [30,61, 62,45, 59,119]
  - [116,90, 156,198, 373,326]
backbone:
  [[-1, 1, Focus, [64, 3]],
   [-1, 1, Conv, [128, 3, 2]],
   [-1, 3, Bottleneck, [128]],
   [-1, 1, Conv, [256, 3, 2]],
   [-1, 3, BottleneckCSP, [256]],
   [-1, 1, Conv, [512, 3, 2]],
   [-1, 1, SPP, [512, [5, 9, 13]]],
   [-1, 1, BottleneckCSP, [512]],
  ]
head:
  [[-1, 1, BottleneckCSP, [512, False]],
   [-1, 1, nn.Conv2d, [na * (nc + 5), 1, 1]],
   [-2, 1, nn.Upsample, [None, 2, 'nearest']],
   [[-1, 4], 1, Concat, [1]],
   [-1, 1, Conv, [256, 1, 1]],
   [-1, 1, BottleneckCSP, [256, False]],
   [-1, 1, nn.Conv2d, [na * (nc + 5), 1, 1]],
   [-2, 1, nn.Upsample, [None, 2, 'nearest']],
   [[-1, 2], 1, Concat, [1]],
   [-1, 1, Conv, [128, 1, 1]],
   [-1, 1, BottleneckCSP, [128, False]],
   [-1, 1, nn.Conv2d, [na * (nc + 5), 1, 1]],
   [[], 1, Detect, [nc, anchors]],
  ]
`;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Every BN far from its defaults, a third of the γ near zero (a sparsity-trained look). */
function sparseModel(yaml: string, seed: number): YoloModel {
  const model = buildModel(yaml, { seed });
  const r = lcg(seed);
  for (const [, m] of model.namedModules()) {
    if (!(m instanceof BatchNorm2d)) continue;
    const n = m.channels;
    const gamma = Float32Array.from({ length: n }, () => (r() < 0.35 ? r() * 0.02 : 0.1 + 1.2 * r()) * (r() < 0.1 ? -1 : 1));
    const values = new Map<string, tf.Tensor>([
      ['weight', tf.tensor1d(gamma)],
      ['bias', tf.tensor1d(Float32Array.from({ length: n }, () => 0.4 * r() - 0.2))],
      ['running_mean', tf.tensor1d(Float32Array.from({ length: n }, () => 0.4 * r() - 0.2))],
      ['running_var', tf.tensor1d(Float32Array.from({ length: n }, () => 0.5 + r()))],
      ['num_batches_tracked', tf.scalar(0, 'int32')],
    ]);
    m.loadStateDict(values);
    values.forEach((v) => v.dispose());
  }
  return model;
}

function image(batch: number, size: number, seed: number): tf.Tensor4D {
  const r = lcg(seed);
  return tf.tensor4d(Float32Array.from({ length: batch * size * size * 3 }, r), [batch, size, size, 3]);
}

function raw(model: YoloModel, x: tf.Tensor4D, training = false): Float32Array[] {
  const f = model.forward(x, { training, updateStats: false, decode: false });
  const out = f.raw.map((t) => t.dataSync() as Float32Array);
  f.raw.forEach((t) => t.dispose());
  return out;
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((x, i) => {
    expect(x.length).toBe(b[i].length);
    for (let j = 0; j < x.length; j++) m = Math.max(m, Math.abs(x[j] - b[i][j]));
  });
  return m;
}

/** Parameters the plan leaves, counted from the ORIGINAL tensors and the kept channels (not from the new model). */
function expectedParams(model: YoloModel, plan: PruningPlan): number {
  let n = 0;
  for (const [key, e] of model.namedEntries()) {
    if (e.kind !== 'parameter') continue;
    const shape = [...e.tensor.shape];
    for (const { axis, space } of plan.graph.bindings.get(key) ?? []) shape[axis] = plan.graph.spaces.kept(space).length;
    n += shape.reduce((a, b) => a * b, 1);
  }
  return n;
}

describe.each([
  ['mobile', TINY_MOBILE],
  ['yolov5', TINY_V5],
])('pruning a %s network', (_, yaml) => {
  let model: YoloModel;
  let pruned: YoloModel;
  let plan: PruningPlan;
  beforeAll(() => {
    model = sparseModel(yaml, 7);
    plan = planPruning(model, { mode: 'ratio', ratio: 0.4 });
    pruned = applyPruning(model, plan).model;
  });
  afterAll(() => {
    model.dispose();
    pruned.dispose();
  });

  it('builds a real smaller network: Params and FLOPs fall as the kept channels say', () => {
    const before = model.profile(64, 64, true);
    const after = pruned.profile(64, 64, true);
    expect(pruned.numParameters()).toBe(expectedParams(model, plan));
    expect(pruned.numParameters()).toBeLessThan(model.numParameters());
    expect(after.macs).toBeLessThan(before.macs);
    // Every BN of the new network has exactly the channels the plan kept.
    const bns = new Map(pruned.namedModules().filter(([, m]) => m instanceof BatchNorm2d) as Array<[string, BatchNorm2d]>);
    for (const l of plan.layers) expect(bns.get(l.bn)?.channels, l.bn).toBe(l.keptChannelIndices.length);
    expect(plan.layers.some((l) => l.channelsAfter < l.channelsBefore)).toBe(true);
  });

  it('computes what the unpruned network computes with the removed channels zeroed (γ = β = 0)', () => {
    const x = image(2, 64, 3);
    const original = raw(model, x);
    const smaller = raw(pruned, x);
    const smallerTrain = raw(pruned, x, true);
    expect(maxAbsDiff(original, smaller)).toBeGreaterThan(1e-3); // the removed channels did contribute
    // Zeroing γ and β makes a removed BN channel output exactly 0, and LeakyReLU/ReLU6(0) = 0: what
    // the consumers then see is what the pruned network computes without that channel.
    const zeroed = sparseModel(yaml, 7);
    for (const [name, space] of plan.graph.batchNorms) {
      const kept = new Set(plan.graph.spaces.kept(space));
      const bn = zeroed.namedModules().find(([n]) => n === name)![1] as BatchNorm2d;
      const g = bn.weight.dataSync().slice();
      const b = bn.bias.dataSync().slice();
      for (let c = 0; c < g.length; c++) if (!kept.has(c)) g[c] = b[c] = 0;
      (bn.weight as unknown as tf.Variable).assign(tf.tensor1d(g));
      (bn.bias as unknown as tf.Variable).assign(tf.tensor1d(b));
    }
    expect(maxAbsDiff(raw(zeroed, x), smaller)).toBeLessThan(1e-4);
    expect(maxAbsDiff(raw(zeroed, x, true), smallerTrain)).toBeLessThan(1e-4);
    zeroed.dispose();
    x.dispose();
  });

  it('its YAML alone rebuilds the same architecture', () => {
    const { yaml: prunedYaml } = applyPruning(model, plan);
    const rebuilt = buildModel(prunedYaml, { init: 'zeros' });
    const shapes = (m: YoloModel) => [...m.stateDict()].map(([k, t]) => `${k}:${t.shape.join('x')}`);
    expect(shapes(rebuilt)).toEqual(shapes(pruned));
    rebuilt.dispose();
  });
});

describe('channel dependencies', () => {
  it('residual adds, depthwise convs and concatenations remove the same channels everywhere', () => {
    const model = sparseModel(TINY_MOBILE, 11);
    const plan = planPruning(model, { mode: 'ratio', ratio: 0.5 });
    const kept = new Map(plan.layers.map((l) => [l.bn, l.keptChannelIndices]));
    // Layer 1 (t = 1, residual): stem BN, its depthwise BN and its output BN share channels.
    expect(kept.get('model.1.conv.0.1')).toEqual(kept.get('model.0.bn'));
    expect(kept.get('model.1.conv.2')).toEqual(kept.get('model.0.bn'));
    // Layer 3 (residual), 5 → 6 (residual): input and output BNs agree.
    expect(kept.get('model.3.conv.3')).toEqual(kept.get('model.2.conv.3'));
    expect(kept.get('model.6.conv.3')).toEqual(kept.get('model.5.conv.3'));
    // Depthwise: expansion BN and depthwise BN agree.
    expect(kept.get('model.2.conv.1.1')).toEqual(kept.get('model.2.conv.0.1'));
    // A BN can lose channels whose own |γ| is large (coupled through the residual add).
    const gamma = (name: string) => (model.namedModules().find(([n]) => n === name)![1] as BatchNorm2d).weight.dataSync();
    const g3 = gamma('model.3.conv.3');
    const lostLarge = [...g3.keys()].some((c) => Math.abs(g3[c]) >= plan.threshold && !kept.get('model.3.conv.3')!.includes(c));
    const g2 = gamma('model.2.conv.3');
    const lostLarge2 = [...g2.keys()].some((c) => Math.abs(g2[c]) >= plan.threshold && !kept.get('model.2.conv.3')!.includes(c));
    expect(lostLarge || lostLarge2).toBe(true);
    model.dispose();
  });

  it('a layer whose channels would all go keeps its single largest one', () => {
    const model = sparseModel(TINY_MOBILE, 5);
    const bn = model.namedModules().find(([n]) => n === 'model.17.bn')![1] as BatchNorm2d;
    const g = Float32Array.from({ length: bn.channels }, (_, i) => 0.001 + 1e-5 * ((i * 7) % 5));
    (bn.weight as unknown as tf.Variable).assign(tf.tensor1d(g));
    const plan = planPruning(model, { mode: 'threshold', threshold: 0.01 });
    const layer = plan.layers.find((l) => l.bn === 'model.17.bn')!;
    expect(layer.keptChannelIndices).toEqual([g.indexOf(Math.max(...g))]);
    model.dispose();
  });
});

describe('threshold and bad input', () => {
  it('ratio: sorted |γ| at int(P·n); threshold: as given, compared in float32', () => {
    const g = Float32Array.from([0.5, 0.1, 0.9, 0.3, 0.7]);
    expect(pruneThreshold(g, { mode: 'ratio', ratio: 0.5 })).toBe(Math.fround(0.5));
    expect(pruneThreshold(g, { mode: 'ratio', ratio: 0.99 })).toBe(Math.fround(0.9));
    expect(pruneThreshold(g, { mode: 'threshold', threshold: 0.01 })).toBe(0.01);
  });

  it.each([0, 1, 1.5, -0.2, Number.NaN])('rejects ratio %s', (ratio) => {
    expect(() => pruneThreshold([0.5], { mode: 'ratio', ratio })).toThrow(PruneError);
    expect(() => pruneThreshold([0.5], { mode: 'ratio', ratio })).toThrow(/ratio must be between 0 and 1/);
  });

  it('rejects a threshold that would remove everything, or a non-positive one', () => {
    const model = sparseModel(TINY_MOBILE, 3);
    expect(() => pruneModel(model, { mode: 'threshold', threshold: 5 })).toThrow(/would remove every channel/);
    expect(() => pruneModel(model, { mode: 'threshold', threshold: -1 })).toThrow(/threshold must be a positive number/);
    model.dispose();
  });

  it('pruneCheckpoint fails on a bad ratio before reading anything', async () => {
    await expect(pruneCheckpoint({ weights: '/nonexistent/last.safetensors', spec: { mode: 'ratio', ratio: 1.2 }, out: '/nonexistent/p' })).rejects.toThrow(
      /last\.safetensors: ratio must be between 0 and 1/,
    );
  });

  it('a model config whose channels name no conv is an error', () => {
    expect(() => buildModel(`${TINY_MOBILE}\nchannels:\n  model.99.conv: 4\n`)).toThrow(ModelConfigError);
    expect(() => buildModel(`${TINY_MOBILE}\nchannels:\n  model.3.conv.2: 4\n`)).toThrow(/residual/);
  });
});

describe('pruneCheckpoint: files in, a checkpoint that loads, runs and fine-tunes out', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'prune-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the pruned checkpoint and YAML; they load with the pruned weights and train', async () => {
    const model = sparseModel(TINY_MOBILE, 9);
    const source = path.join(dir, 'sparse.safetensors');
    await writeModelCheckpointFile(source, model);
    const spec = { mode: 'threshold', threshold: 0.05 } as const;
    const r = await pruneCheckpoint({ weights: source, spec, out: path.join(dir, 'pruned') });
    expect(r.summary.after.params).toBeLessThan(r.summary.before.params);
    expect(r.summary.after.gmacs).toBeLessThan(r.summary.before.gmacs);
    const inMemory = pruneModel(model, spec);
    const loaded = await readModelCheckpointFile(r.checkpoint);
    const x = image(1, 64, 1);
    expect(maxAbsDiff(raw(loaded.model, x), raw(inMemory.model, x))).toBe(0);
    expect((loaded.meta.extra?.pruning as { threshold: number }).threshold).toBe(0.05);
    // The fine-tuning route: model from the YAML file, weights imported strictly from the checkpoint.
    const fromYaml = buildModel(readFileSync(r.yamlPath, 'utf8'), { seed: 1 });
    importTorch(fromYaml, await readSafetensorsFile(r.checkpoint), { source: r.checkpoint });
    expect(maxAbsDiff(raw(fromYaml, x), raw(inMemory.model, x))).toBe(0);
    // It trains: gradients reach every parameter (the engine registers tfjs gradients on import).
    expect(gradientsRegistered()).toBe(true);
    const vars = [...fromYaml.namedParameters().values()];
    const { value, grads } = tf.variableGrads(() => {
      const f = fromYaml.forward(x, { training: true, updateStats: false });
      return tf.addN(f.raw.map((t) => tf.mean(tf.square(t)))) as tf.Scalar;
    }, vars);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Object.keys(grads).length).toBe(vars.length);
    for (const g of Object.values(grads)) expect(g.dataSync().every(Number.isFinite)).toBe(true);
    [model, inMemory.model, loaded.model, fromYaml].forEach((m) => m.dispose());
  });
});

/** Folders of the shared golden set holding a pruning case (meta.json with runs + pruned_outputs). */
function pruningCases(): string[] {
  if (!hasGolden) return [];
  const out: string[] = [];
  for (const n of readdirSync(goldenDir)) {
    const d = path.join(goldenDir, n);
    if (statSync(d).isDirectory() && existsSync(path.join(d, 'pruned_outputs.safetensors')) && existsSync(path.join(d, 'meta.json'))) out.push(d);
  }
  return out;
}

interface GoldenRun {
  call: string;
  threshold: number;
  params_after: number;
  cal_flop_fused_thop_params: number;
  cal_flop_fused_thop_GMACs_640: number;
  layers: Array<{ bn: string; channels_after: number; kept_channel_indices: number[] }>;
  pruned_state_dict_shapes: Record<string, number[]>;
}

describe.skipIf(pruningCases().length === 0)('upstream pruning.py (golden)', () => {
  for (const caseDir of pruningCases()) {
    const meta = readJson<{ model: string; runs: Record<string, GoldenRun> }>(path.join(caseDir, 'meta.json'));
    it(`${path.basename(caseDir)}: threshold, kept channels, params, FLOPs, shapes and outputs`, async () => {
      const config = meta.model.split(',')[0].trim();
      const weights = path.resolve(caseDir, /weights\s+(\S+)/.exec(meta.model)![1]);
      const model = buildModel(config, { init: 'zeros' });
      importTorch(model, await readSafetensorsFile(weights));
      const inp = (await readSafetensorsFile(path.join(goldenDir, 'inputs.safetensors'))).tensors.get('input')!;
      const [, c, h, w] = inp.shape;
      const x = tf.transpose(tf.tensor4d((inp.data as Float32Array).slice(0, c * h * w), [1, c, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
      const outputs = (await readSafetensorsFile(path.join(caseDir, 'pruned_outputs.safetensors'))).tensors;
      for (const [run, ref] of Object.entries(meta.runs)) {
        const thres = /thres=([^,)]+)/.exec(ref.call)![1];
        const spec = thres !== 'None' ? { mode: 'threshold' as const, threshold: Number(thres) } : { mode: 'ratio' as const, ratio: Number(/pruned_prob=([^,)]+)/.exec(ref.call)![1]) };
        const r = pruneModel(model, spec);
        expect(r.threshold, run).toBe(ref.threshold);
        expect(r.after.params, run).toBe(ref.params_after);
        expect(r.after.fusedParams, run).toBe(ref.cal_flop_fused_thop_params);
        expect(Math.abs(r.after.gmacs - ref.cal_flop_fused_thop_GMACs_640), run).toBeLessThan(5e-8);
        expect(r.layers.map((l) => [l.bn, l.channelsAfter, l.keptChannelIndices])).toEqual(ref.layers.map((l) => [l.bn, l.channels_after, l.kept_channel_indices]));
        expect(Object.fromEntries([...exportTorch(r.model)].map(([k, t]) => [k, t.shape]))).toEqual(ref.pruned_state_dict_shapes);
        const ours = raw(r.model, x);
        const theirs = ours.map((_, i) => outputs.get(`${run}.eval.raw.${i}`)!.data as Float32Array);
        expect(maxAbsDiff(ours, theirs), run).toBeLessThan(2e-4);
        r.model.dispose();
      }
      model.dispose();
      x.dispose();
    }, 120_000);
  }
});
