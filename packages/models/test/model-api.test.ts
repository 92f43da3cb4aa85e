// The Module API on a real zoo network: forward modes and outputs, features, BN statistics, fusing,
// PyTorch import/export and checkpoints, and the errors for weights that do not fit.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  buildModel,
  decodeSafetensors,
  encodeModelCheckpoint,
  exportTorch,
  exportTorchSafetensors,
  importTorch,
  loadModelCheckpoint,
  StateDictError,
  type YoloModel,
} from '../src/index.ts';

vi.setConfig({ testTimeout: 60_000 });

let model: YoloModel;
let x: tf.Tensor4D;

function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  model = buildModel('mobile-yolo5s_voc', { seed: 7 });
  x = tf.randomUniform([2, 64, 96, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
});

describe('forward', () => {
  it('returns upstream-shaped raw levels, decoded rows and requested features', () => {
    const r = model.forward(x, { training: false, features: [6, 13, 17] });
    expect(r.raw.map((t) => t.shape)).toEqual([
      [2, 3, 8, 12, 25],
      [2, 3, 4, 6, 25],
      [2, 3, 2, 3, 25],
    ]);
    expect(r.decoded?.shape).toEqual([2, 3 * (8 * 12 + 4 * 6 + 2 * 3), 25]);
    expect([...r.features.keys()]).toEqual([6, 13, 17]);
    expect(r.features.get(6)?.shape).toEqual([2, 8, 12, 32]);
    expect(r.features.get(17)?.shape).toEqual([2, 2, 3, 320]);
    expect(model.channelsOf(13)).toBe(96);
    // Decoded row (level 1, anchor 2, y 3, x 5) is σ of the raw cell, boxes in pixels.
    const raw = r.raw[1].arraySync()[1][2][3][5];
    const row = r.decoded!.arraySync()[1][3 * 8 * 12 + (2 * 4 + 3) * 6 + 5];
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    expect(row[0]).toBeCloseTo((2 * s(raw[0]) - 0.5 + 5) * 16, 3);
    expect(row[3]).toBeCloseTo((2 * s(raw[3])) ** 2 * model.anchors[1][2][1], 3);
    expect(row[10]).toBeCloseTo(s(raw[10]), 5);
    r.raw.forEach((t) => t.dispose());
    r.decoded?.dispose();
    r.features.forEach((t) => t.dispose());
  });

  it('metadata: strides, anchors in pixels and grid units, nc/na/no', () => {
    expect(model.strides).toEqual([8, 16, 32]);
    expect(model.anchors[2][2]).toEqual([373, 326]);
    expect(model.anchorsGrid[0][0]).toEqual([1.25, 1.625]);
    expect([model.nc, model.na, model.no, model.detectIndex]).toEqual([20, 3, 25, 30]);
  });

  it('training mode updates BN running stats unless updateStats is false', () => {
    const key = 'model.2.conv.0.1.running_var';
    const before = model.namedBuffers().get(key)!.dataSync().slice();
    model.forward(x, { training: true, updateStats: false }).raw.forEach((t) => t.dispose());
    expect(model.namedBuffers().get(key)!.dataSync()).toEqual(before);
    const m2 = buildModel('mobile-yolo5s_voc', { seed: 7 });
    // After one update: 0.97·old + 0.03·unbiased batch variance of that layer's input.
    m2.forward(x, { training: true }).raw.forEach((t) => t.dispose());
    const after = m2.namedBuffers().get(key)!.dataSync();
    expect(after).not.toEqual(before);
    expect(m2.namedBuffers().get('model.2.conv.0.1.num_batches_tracked')!.dataSync()[0]).toBe(1);
    m2.dispose();
  });

  it('fuse() folds conv+BN: same eval outputs, refuses nothing in training mode', () => {
    const ref = model.forward(x, { training: false });
    model.fuse();
    expect(model.isFused).toBe(true);
    const fused = model.forward(x, { training: false });
    ref.raw.forEach((t, i) => expect(maxAbs(t, fused.raw[i])).toBeLessThan(1e-3));
    const train = model.forward(x, { training: true, updateStats: false });
    model.unfuse();
    const train2 = model.forward(x, { training: true, updateStats: false });
    train.raw.forEach((t, i) => expect(maxAbs(t, train2.raw[i])).toBe(0));
    [ref, fused, train, train2].forEach((r) => {
      r.raw.forEach((t) => t.dispose());
      r.decoded?.dispose();
    });
  });

  it('rejects inputs that are not NHWC RGB multiples of the largest stride', () => {
    expect(() => model.forward(tf.zeros([1, 60, 64, 3]) as tf.Tensor4D, { training: false })).toThrow(/multiples of the largest stride 32/);
    expect(() => model.forward(tf.zeros([1, 64, 64, 1]) as tf.Tensor4D, { training: false })).toThrow(/NHWC/);
    expect(() => model.forward(x, { training: false, features: [30] })).toThrow(/feature layer 30/);
  });
});

describe('PyTorch weights and checkpoints', () => {
  it('exportTorch → importTorch round-trips every tensor (OIHW/depthwise layouts included)', () => {
    const file = decodeSafetensors(exportTorchSafetensors(model));
    expect(file.tensors.get('model.1.conv.0.0.weight')?.shape).toEqual([32, 1, 3, 3]);
    expect(file.tensors.get('model.2.conv.2.weight')?.shape).toEqual([24, 96, 1, 1]);
    expect(file.tensors.get('model.0.bn.num_batches_tracked')?.dtype).toBe('I64');
    const other = buildModel('mobile-yolo5s_voc', { seed: 8 });
    const report = importTorch(other, file);
    expect(report.loaded.length).toBe(model.namedEntries().length);
    const a = model.stateDict();
    for (const [k, v] of other.stateDict()) expect(maxAbs(v, a.get(k)!)).toBe(0);
    other.dispose();
  });

  it('names the layer and tensor of missing, extra and mis-shaped weights', () => {
    const tensors = decodeSafetensors(exportTorchSafetensors(model)).tensors;
    tensors.delete('model.17.conv.3.running_mean');
    tensors.set('model.99.bogus', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    tensors.set('model.29.weight', { dtype: 'F32', shape: [75, 64, 1, 1], data: new Float32Array(75 * 64) });
    const other = buildModel('mobile-yolo5s_voc', { init: 'zeros' });
    let err: unknown;
    try {
      importTorch(other, tensors, { source: 'w.safetensors' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateDictError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^w\.safetensors: /);
    expect(msg).toContain("layer 17 'model.17.conv.3.running_mean'");
    expect(msg).toContain("layer 99 'model.99.bogus'");
    expect(msg).toContain("layer 29 'model.29.weight' is [75, 64, 1, 1], the model needs [75, 128, 1, 1]");
    // Non-strict: loads what fits by name and shape (upstream train.py's rule).
    const r = importTorch(other, tensors, { strict: false });
    expect(r.missing).toEqual(['model.17.conv.3.running_mean']);
    expect(r.mismatched.map((m) => m.key)).toEqual(['model.29.weight']);
    expect(r.loaded.length).toBe(model.namedEntries().length - 2);
    other.dispose();
  });

  it('checkpoints carry config, names, epoch, metrics and version, and rebuild the same model', () => {
    model.names = Array.from({ length: 20 }, (_, i) => `class${i}`);
    const bytes = encodeModelCheckpoint(model, { epoch: 3, metrics: { map50: 0.5 } });
    const { model: loaded, meta } = loadModelCheckpoint(bytes, 'ckpt.safetensors');
    expect(meta).toMatchObject({ nc: 20, epoch: 3, metrics: { map50: 0.5 }, configName: 'mobile-yolo5s_voc' });
    expect(meta.software).toMatch(/@distillery\/models/);
    expect(loaded.names?.[19]).toBe('class19');
    const a = exportTorch(model);
    const b = exportTorch(loaded);
    expect([...b.keys()]).toEqual([...a.keys()]);
    let differing = 0;
    for (const [k, t] of b) if (t.data.some((v, i) => v !== a.get(k)!.data[i])) differing++;
    expect(differing).toBe(0);
    loaded.dispose();
    expect(() => loadModelCheckpoint(new Uint8Array(16), 'junk.bin')).toThrow(/^junk\.bin: not a readable checkpoint/);
  });

  it('a checkpoint whose tensors do not fit its config is refused, naming the tensor', () => {
    const bytes = encodeModelCheckpoint(model);
    const small = buildModel('yolov5s_voc', { init: 'zeros' });
    const wrong = encodeModelCheckpoint(small, { config: model.yaml! });
    small.dispose();
    expect(bytes.length).toBeGreaterThan(0);
    expect(() => loadModelCheckpoint(wrong, 'bad.safetensors')).toThrow(/^bad\.safetensors: weights do not fit the model: missing .*layer 0 'model\.0\.conv\.weight'/);
  });
});
