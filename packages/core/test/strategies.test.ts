import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunConfig } from '../src/config/run-config.ts';
import { distillationOutputLoss } from '../src/loss/distill-output.ts';
import type { LossHyp } from '../src/loss/hyp.ts';
import { createStrategies, createStrategy } from '../src/strategies/registry.ts';
import { prunableGammas, SparsityStrategy } from '../src/strategies/sparsity/sparsity-strategy.ts';
import type {
  Detector,
  DetectorForwardOptions,
  DetectorOutput,
  ModuleLike,
  StrategySetupContext,
} from '../src/strategies/strategy.ts';
import { gradientsRegistered, useCpu } from './loss-golden.ts';

beforeAll(useCpu);

const hyp: LossHyp = {
  giou: 0.05,
  obj: 1,
  cls: 0.145,
  cls_pw: 1,
  obj_pw: 1,
  anchor_t: 4,
  fl_gamma: 0,
  sl: 6e-4,
  dist: 1,
};

/** A tiny deterministic detector: pooled input → fixed 1×1 projections per level and per feature layer. */
class TinyDetector implements Detector {
  readonly na = 3;
  readonly strides = [8, 16, 32];
  readonly anchors = [
    [
      [10, 13],
      [16, 30],
      [33, 23],
    ],
    [
      [30, 61],
      [62, 45],
      [59, 119],
    ],
    [
      [116, 90],
      [156, 198],
      [373, 326],
    ],
  ];
  private readonly heads: tf.Variable[];
  private readonly featureWeights = new Map<number, tf.Variable>();
  constructor(
    readonly nc: number,
    featureChannels: Record<number, number>,
    seed: number,
  ) {
    const no = nc + 5;
    this.heads = this.strides.map((_, i) =>
      tf.variable(tf.randomNormal([1, 1, 3, this.na * no], 0, 0.5, 'float32', seed + i)),
    );
    Object.entries(featureChannels).forEach(([layer, c], i) =>
      this.featureWeights.set(
        Number(layer),
        tf.variable(tf.randomNormal([1, 1, 3, c], 0, 1, 'float32', seed + 10 + i)),
      ),
    );
  }
  forward(x: tf.Tensor4D, opts: DetectorForwardOptions): DetectorOutput {
    const raw = this.strides.map((s, i) => {
      const p = tf.conv2d(tf.avgPool(x, s, s, 'valid'), this.heads[i] as tf.Tensor4D, 1, 'valid');
      const [b, ny, nx] = p.shape;
      const y = opts.training ? tf.add(p, 0.1) : p; // train/eval differ, like BN batch statistics would
      return tf.transpose(tf.reshape(y, [b, ny, nx, this.na, this.nc + 5]), [0, 3, 1, 2, 4]) as tf.Tensor5D;
    });
    const features = new Map<number, tf.Tensor4D>();
    for (const l of opts.features ?? []) {
      const w = this.featureWeights.get(l);
      if (w) features.set(l, tf.conv2d(tf.avgPool(x, 8, 8, 'valid'), w as tf.Tensor4D, 1, 'valid'));
    }
    return { raw, features };
  }
}

function setupContext(
  student: Detector,
  teachers: Record<string, Detector>,
  config = {},
): StrategySetupContext {
  return {
    config: parseRunConfig(config),
    student,
    hyp,
    loadTeacher: async (ref) => {
      const t = teachers[ref];
      if (!t) throw new Error(`no run '${ref}'`);
      return t;
    },
  };
}

const images = () => tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 7) as tf.Tensor4D;

describe('strategy registry', () => {
  it('builds each built-in kind from its run-config spec', () => {
    expect(createStrategy({ kind: 'distill-output', teacher: 'run-1' }).name).toBe('distill-output');
    expect(createStrategy({ kind: 'distill-feature', teacher: 'run-1' }).name).toBe('distill-feature');
    expect(createStrategy({ kind: 'sparsity' }).name).toBe('sparsity');
  });
  it('names the bad field of an invalid spec', () => {
    expect(() => createStrategy({ kind: 'distill-output' })).toThrow(/teacher/);
    expect(() => createStrategy({ kind: 'quantize' })).toThrow(/invalid strategy/);
  });
  it('refuses two output-distillation terms', () => {
    expect(() =>
      createStrategies([
        { kind: 'distill-output', teacher: 'a' },
        { kind: 'distill-feature', teacher: 'a' },
      ]),
    ).toThrow(/more than one output-distillation term/);
    expect(
      createStrategies([
        { kind: 'distill-output', teacher: 'a' },
        { kind: 'distill-feature', teacher: 'a', outputWeight: 0 },
      ]),
    ).toHaveLength(2);
  });
});

describe('output distillation strategy (S1)', () => {
  it('fails in setup, before any step, when the teacher layout does not fit', async () => {
    const s = createStrategy({ kind: 'distill-output', teacher: 'coco' });
    const ctx = setupContext(new TinyDetector(20, {}, 1), { coco: new TinyDetector(80, {}, 2) });
    await expect(s.setup!(ctx)).rejects.toThrow(
      /output layout does not fit the student \(classes: student 20, teacher 80\)/,
    );
  });
  it('fails in setup when the teacher cannot be loaded', async () => {
    const s = createStrategy({ kind: 'distill-output', teacher: 'missing' });
    await expect(s.setup!(setupContext(new TinyDetector(20, {}, 1), {}))).rejects.toThrow(
      /cannot load teacher 'missing'/,
    );
  });
  for (const teacherMode of ['train', 'eval'] as const) {
    it(`adds the upstream output loss against the ${teacherMode}-mode teacher`, async () => {
      const student = new TinyDetector(20, {}, 1);
      const teacher = new TinyDetector(20, {}, 2);
      const s = createStrategy({ kind: 'distill-output', teacher: 't', teacherMode });
      await s.setup!(setupContext(student, { t: teacher }));
      const x = images();
      const batch = { images: x, targets: new Float32Array(), nTargets: 0, epoch: 0, iteration: 0 };
      s.beforeStep!(batch);
      const out = student.forward(x, { training: true });
      const got = s.extraLoss({ ...batch, batchSize: 2, student: out, hyp });
      const want = distillationOutputLoss(
        out.raw,
        teacher.forward(x, { training: teacherMode === 'train' }).raw,
        20,
        hyp,
      );
      expect(got.total.dataSync()[0]).toBeCloseTo(want.total.dataSync()[0], 6);
      expect(got.items.ldistill.dataSync()[0]).toBe(got.total.dataSync()[0]);
      expect(s.trainableModules?.() ?? []).toHaveLength(0);
      const before = tf.memory().numTensors;
      s.afterStep!();
      expect(tf.memory().numTensors).toBeLessThan(before);
      s.dispose();
    });
  }
});

describe('feature distillation strategy (S2)', () => {
  const make = (converter: 'conv-bn-relu6' | 'conv') =>
    createStrategy({
      kind: 'distill-feature',
      teacher: 't',
      converter,
      studentLayers: [3],
      teacherLayers: [5],
    });
  it('builds one converter per level, sized from the two models, trained with the student', async () => {
    const s = make('conv-bn-relu6');
    await s.setup!(
      setupContext(new TinyDetector(20, { 3: 8 }, 1), { t: new TinyDetector(20, { 5: 12 }, 2) }),
    );
    expect(s.studentFeatureLayers!()).toEqual([3]);
    const params = [...s.trainableModules!()[0].namedParameters()];
    expect(params.map(([k, v]) => [k, v.shape])).toEqual([
      ['S_Converter_1.conv.weight', [1, 1, 8, 12]],
      ['S_Converter_1.bn.weight', [12]],
      ['S_Converter_1.bn.bias', [12]],
    ]);
    s.dispose();
  });
  it('S2.2 converter is a plain conv', async () => {
    const s = make('conv');
    await s.setup!(
      setupContext(new TinyDetector(20, { 3: 8 }, 1), { t: new TinyDetector(20, { 5: 12 }, 2) }),
    );
    expect([...s.trainableModules!()[0].namedParameters()].map(([k]) => k)).toEqual([
      'S_Converter_1.conv.weight',
    ]);
    s.dispose();
  });
  it('rejects feature layers the models do not return', async () => {
    const s = make('conv');
    await expect(
      s.setup!(setupContext(new TinyDetector(20, {}, 1), { t: new TinyDetector(20, { 5: 12 }, 2) })),
    ).rejects.toThrow(/student did not return the output of layer 3/);
  });
  it.skipIf(!gradientsRegistered())(
    'feature + output loss reaches the converter and student weights',
    async () => {
      const student = new TinyDetector(20, { 3: 8 }, 1);
      const s = make('conv-bn-relu6');
      await s.setup!(setupContext(student, { t: new TinyDetector(20, { 5: 12 }, 2) }));
      const x = images();
      const batch = { images: x, targets: new Float32Array(), nTargets: 0, epoch: 0, iteration: 0 };
      s.beforeStep!(batch);
      const convVars = [...new Map(s.trainableModules!()[0].namedParameters()).values()];
      const { value, grads } = tf.variableGrads(() => {
        const out = student.forward(x, { training: true, features: s.studentFeatureLayers!() });
        const l = s.extraLoss({ ...batch, batchSize: 2, student: out, hyp });
        expect(Object.keys(l.items).sort()).toEqual(['ldistill', 'ldistill_feature', 'ldistill_output']);
        return l.total;
      }, convVars);
      expect(value.dataSync()[0]).toBeGreaterThan(0);
      for (const v of convVars) expect(tf.max(tf.abs(grads[v.name])).dataSync()[0]).toBeGreaterThan(0);
      s.afterStep!();
      s.dispose();
    },
  );
});

describe('sparsity strategy', () => {
  /** A fake module: BN-like (weight/bias + running stats) or plain (no state). */
  const bn = (gamma: number[]): ModuleLike => ({
    namedParameters: () =>
      new Map([
        ['weight', tf.variable(tf.tensor1d(gamma))],
        ['bias', tf.variable(tf.zeros([gamma.length]))],
      ]),
    namedBuffers: () =>
      new Map([
        ['running_mean', tf.variable(tf.zeros([gamma.length]))],
        ['running_var', tf.variable(tf.ones([gamma.length]))],
        ['num_batches_tracked', tf.variable(tf.scalar(0, 'int32'))],
      ]),
  });
  const plain: ModuleLike = { namedParameters: () => new Map() };
  it('takes every BN except those at modules() index 230, 260, 290', () => {
    const modules: Array<[string, ModuleLike]> = Array.from({ length: 300 }, (_, i) => [
      `m${i}`,
      [5, 230, 260, 299].includes(i) ? bn([1]) : plain,
    ]);
    expect(prunableGammas(modules).map(([n]) => n)).toEqual(['m5', 'm299']);
  });
  it('adds bs·sl·Σ‖γ‖₁/n with sl scaled to the nominal batch like train.py', async () => {
    const modules: Array<[string, ModuleLike]> = [
      ['', plain],
      ['model.0.bn', bn([1, -2])],
      ['model.1.bn', bn([0.5])],
    ];
    const student = Object.assign(new TinyDetector(20, {}, 1), { namedModules: () => modules });
    const s = new SparsityStrategy();
    await s.setup(setupContext(student, {}, { batch: 24 }));
    expect(s.strength).toBeCloseTo(6e-4 * 1.125, 12);
    const l = s.extraLoss({
      images: images(),
      targets: new Float32Array(),
      nTargets: 0,
      epoch: 0,
      iteration: 0,
      batchSize: 24,
      student: { raw: [], features: new Map() },
      hyp,
    });
    expect(l.total.dataSync()[0]).toBeCloseTo((24 * 6e-4 * 1.125 * 3.5) / 2, 7);
    expect(l.items.lsparsity).toBe(l.total);
  });
  it('fails in setup when the student exposes no modules', async () => {
    await expect(
      Promise.resolve().then(() =>
        new SparsityStrategy().setup(setupContext(new TinyDetector(20, {}, 1), {})),
      ),
    ).rejects.toThrow(/does not expose its modules/);
  });
});
