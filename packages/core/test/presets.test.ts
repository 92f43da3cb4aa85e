import { describe, expect, it } from 'vitest';
import { getPreset, presetNames, resolvePreset } from '../src/presets/resolve-preset.ts';
import { BUILTIN_STUDIES } from '../src/studies/builtin-studies.ts';
import { resolveStudy, substituteStageOutputs } from '../src/studies/study.ts';

const UPSTREAM_TYPES = [
  'vocs',
  'vocl',
  'vocx',
  'mvocs',
  'mvocl',
  'mvoc3',
  'smvocs',
  'fsmvocs',
  'fsmvocs05',
  'dmvocs',
  'dmvocs_l',
  'dvocs_l',
  'dfmvocs',
  'dfmvocs_l',
  'dtamvocs',
];

describe('upstream presets', () => {
  it('cover every train.py --type with its hyper-parameters', () => {
    for (const type of UPSTREAM_TYPES) {
      expect(getPreset(type).upstreamType).toBe(type);
      const c = resolvePreset(type);
      expect(c.preset).toBe(type);
      expect(c.overrides).toEqual([]);
      expect([c.img, c.batch, c.nominalBatch, c.optimizer, c.data]).toEqual([640, 24, 64, 'sgd', 'voc']);
      expect(c.epochs).toBe(type.startsWith('fsmvocs') ? 20 : type === 'dfmvocs' ? 100 : 50);
      expect(c.hyp.giou).toBe(0.05);
      expect(c.hyp.cls).toBe(0.58);
    }
  });
  it('map each experiment to its strategies', () => {
    expect(resolvePreset('smvocs').strategies).toEqual([{ kind: 'sparsity' }]);
    expect(resolvePreset('fsmvocs').prune).toEqual({ mode: 'threshold', threshold: 0.01 });
    expect(resolvePreset('fsmvocs05').prune).toEqual({ mode: 'ratio', ratio: 0.5 });
    expect(resolvePreset('dmvocs').strategies).toEqual([
      { kind: 'distill-output', teacher: '@preset:vocs', teacherMode: 'train' },
    ]);
    const s2 = resolvePreset('dfmvocs').strategies[0];
    expect(s2.kind === 'distill-feature' && [s2.converter, s2.studentLayers, s2.teacherLayers]).toEqual([
      'conv-bn-relu6',
      [6, 13, 17],
      [4, 6, 10],
    ]);
    const s22 = resolvePreset('dfmvocs_conv').strategies[0];
    expect(s22.kind === 'distill-feature' && s22.converter).toBe('conv');
    expect(resolvePreset('dvocs_l').model).toBe('yolov5s_voc');
  });
  it('point at other data, size and epochs, and record it', () => {
    const c = resolvePreset('dmvocs', {
      data: 'demo',
      img: 320,
      epochs: 3,
      teacher: 'run-42',
      hyp: { dist: 0.5 },
      weights: null,
    });
    expect(c.overrides).toEqual([
      'data=demo',
      'img=320',
      'epochs=3',
      'weights=none',
      'hyp.dist=0.5',
      'teacher=run-42',
    ]);
    expect([c.data, c.img, c.epochs, c.weights, c.hyp.dist]).toEqual(['demo', 320, 3, undefined, 0.5]);
    expect(c.strategies[0]).toMatchObject({ teacher: 'run-42' });
    expect(c.name).toContain('dmvocs (data=demo');
  });
  it('reject bad overrides with the preset and field named', () => {
    expect(() => resolvePreset('mvocs', { img: 333 })).toThrow(
      /preset 'mvocs'.*img: must be a multiple of 32/,
    );
    expect(() => resolvePreset('mvocs', { teacher: 'x' })).toThrow(/does not distil/);
    expect(() => resolvePreset('yolo9')).toThrow(/unknown preset 'yolo9'/);
  });
  it('lists the presets', () => {
    expect(presetNames()).toEqual(expect.arrayContaining([...UPSTREAM_TYPES, 'dfmvocs_conv']));
  });
});

describe('studies', () => {
  it('every built-in study resolves, stage references pointing backwards', () => {
    for (const study of BUILTIN_STUDIES) {
      const stages = resolveStudy(study);
      expect(stages.length).toBe(study.stages.length);
      const ids = stages.map((s) => s.id);
      stages.forEach((s, i) => s.dependsOn.forEach((d) => expect(ids.indexOf(d)).toBeLessThan(i)));
    }
  });
  it('T → TA → S chains the teacher through the assistant', () => {
    const [t, ta, s] = resolveStudy(BUILTIN_STUDIES.find((x) => x.name === 'teacher-assistant')!);
    expect([t.config.preset, ta.config.preset, s.config.preset]).toEqual(['vocl', 'dvocs_l', 'dtamvocs']);
    expect(ta.dependsOn).toEqual(['teacher']);
    expect(s.dependsOn).toEqual(['assistant']);
    const done = substituteStageOutputs(s.config, { teacher: 'run-1', assistant: 'run-2' });
    expect(done.strategies[0]).toMatchObject({ teacher: 'run-2' });
    expect(() => substituteStageOutputs(s.config, { teacher: 'run-1' })).toThrow(/needs stage 'assistant'/);
  });
  it('sparse → prune → fine-tune takes the pruned weights from the sparse stage', () => {
    const stages = resolveStudy(BUILTIN_STUDIES.find((x) => x.name === 'pruning')!);
    const thres = stages.find((s) => s.id === 'prune-thres')!;
    expect(thres.config.weights).toBe('@stage:sparse');
    expect(thres.dependsOn).toEqual(['sparse']);
  });
  it('common overrides reach every stage and are recorded', () => {
    const stages = resolveStudy(
      BUILTIN_STUDIES.find((x) => x.name === 'distill-s1')!,
      { data: 'demo', img: 320, epochs: 2 },
    );
    for (const s of stages) {
      expect([s.config.data, s.config.img, s.config.epochs]).toEqual(['demo', 320, 2]);
      expect(s.config.overrides).toEqual(expect.arrayContaining(['data=demo', 'img=320', 'epochs=2']));
    }
  });
  it('the quickstart is small: demo data, small images, few epochs, no pretrained weights', () => {
    const stages = resolveStudy(BUILTIN_STUDIES.find((x) => x.name === 'quickstart')!);
    expect(stages.map((s) => s.config.model)).toEqual([
      'yolov5s_voc',
      'mobile-yolo5s_voc',
      'mobile-yolo5s_voc',
    ]);
    for (const s of stages) {
      expect(s.config.data).toBe('demo');
      expect(s.config.img).toBeLessThanOrEqual(320);
      expect(s.config.epochs).toBeLessThanOrEqual(10);
      expect(s.config.weights).toBeUndefined();
    }
    expect(stages[2].config.strategies[0]).toMatchObject({
      kind: 'distill-output',
      teacher: '@stage:teacher',
    });
  });
  it('rejects forward references, unknown presets and @preset references, naming study and stage', () => {
    const bad = (stages: unknown) => resolveStudy({ name: 'x', title: '', description: '', stages } as never);
    expect(() =>
      bad([
        { id: 'a', preset: 'dmvocs', overrides: { teacher: '@stage:b' } },
        { id: 'b', preset: 'vocs' },
      ]),
    ).toThrow(/study 'x', stage 'a': strategies.0.teacher refers to 'b', which is not an earlier stage/);
    expect(() => bad([{ id: 'a', preset: 'nope' }])).toThrow(/stage 'a': unknown preset 'nope'/);
    expect(() => bad([{ id: 'a', preset: 'dmvocs' }])).toThrow(/stage 'a'.*'@preset:vocs'/);
    expect(() =>
      bad([
        { id: 'a', preset: 'vocs' },
        { id: 'a', preset: 'vocs' },
      ]),
    ).toThrow(/used twice/);
  });
});
