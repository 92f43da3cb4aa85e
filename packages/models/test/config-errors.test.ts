// Bad model configs fail with an error naming the layer and the problem.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, getZooConfig, makeDivisible, parseModelConfig } from '../src/index.ts';

const base = getZooConfig('yolov5s_voc')!;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('config errors', () => {
  it('unknown module', () => {
    expect(() => buildModel(base.replace('[-1, 1, SPP, [1024, [5, 9, 13]]]', '[-1, 1, Spp, [1024]]'), { init: 'zeros' })).toThrow(/^model config: layer 8 \(Spp\): unknown module 'Spp' \(known: .*SPP/);
  });

  it('a from index that is not an earlier layer', () => {
    expect(() => buildModel(base.replace('[[-1, 6], 1, Concat, [1]]', '[[-1, 40], 1, Concat, [1]]'), { init: 'zeros' })).toThrow(/layer 13 \(Concat\): 'from' index 40 does not refer to an earlier layer/);
    expect(() => buildModel(base.replace('[[-1, 1, Focus, [64, 3]]', '[[-2, 1, Focus, [64, 3]]'), { init: 'zeros' })).toThrow(/layer 0 \(Focus\): 'from' index -2/);
  });

  it('channel counts that do not fit Detect', () => {
    const bad = base.replace('[[], 1, Detect, [nc, anchors]]', '[[-1, 16, 15], 1, Detect, [nc, anchors]]');
    expect(() => buildModel(bad, { init: 'zeros' })).toThrow(/layer 22 \(Detect\): input 2 \(layer 15\) has 256 channels, Detect needs na·\(nc\+5\) = 3·\(20\+5\) = 75/);
  });

  it('spatial sizes that do not fit a Concat', () => {
    const bad = base.replace('[[-1, 6], 1, Concat, [1]]', '[[-1, 4], 1, Concat, [1]]');
    expect(() => buildModel(bad, { init: 'zeros' })).toThrow(/layer 13 \(Concat\): input layer 4 is 32x32, layer 12 is 16x16/);
  });

  it('schema problems name the field', () => {
    expect(() => parseModelConfig('nc: 20\ndepth_multiple: 1\nwidth_multiple: 1\nanchors: [[10, 13]]\nbackbone: [[-1, 1, Conv]]\nhead: []', 'x.yaml')).toThrow(/^x\.yaml: /);
    expect(() => parseModelConfig('nc: [', 'y.yaml')).toThrow(/^y\.yaml: not valid YAML/);
    expect(() => buildModel('no-such-model')).toThrow(/unknown model 'no-such-model'/);
  });

  it('nc override changes the head width (na·(nc+5))', () => {
    const m = buildModel('yolov5s_voc', { nc: 80, init: 'zeros' });
    expect(m.layers[21].outChannels).toBe(255);
    expect(m.no).toBe(85);
    m.dispose();
    expect(makeDivisible(64 * 0.5, 8)).toBe(32);
    expect(makeDivisible(1024 * 1.25, 8)).toBe(1280);
  });
});
