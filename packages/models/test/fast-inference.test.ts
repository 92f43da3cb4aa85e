// YoloModel.predict runs with the engine's fast-inference rewrites (engine/inference-mode.ts):
// Winograd F(4x4) and the Upsample → Concat → 1x1 Conv rewrite (Conv.forwardUpsampledConcat). Its
// output must stay that of `forward` up to float32 summation order; the rewrite must take the
// runs it is meant for and leave alone those whose intermediate outputs are asked for.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { buildModel, Conv } from '../src/index.ts';
import { initEngine } from '../src/engine/init-engine.ts';
import { withFastInference } from '../src/engine/inference-mode.ts';
import { relErr } from './numbers.ts';

vi.setConfig({ testTimeout: 120_000 });

describe('fast inference (predict)', () => {
  it.each(['yolov5s_voc', 'mobile-yolo5s_voc'])('%s: predict = forward’s decoded output up to summation order, and takes both head upsample runs', async (name) => {
    await initEngine({ backend: 'wasm', threads: 2 });
    const model = buildModel(name, { seed: 3 });
    model.fuse();
    const x = tf.randomUniform([1, 160, 192, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const rewrite = vi.spyOn(Conv.prototype, 'forwardUpsampledConcat');
    try {
      const fast = tf.tidy(() => model.predict(x).dataSync());
      expect(rewrite).toHaveBeenCalledTimes(2);
      const plain = tf.tidy(() => model.forward(x, { training: false }).decoded!.dataSync());
      expect(rewrite).toHaveBeenCalledTimes(2);
      expect(relErr(fast, plain)).toBeLessThan(1e-5);
    } finally {
      rewrite.mockRestore();
      x.dispose();
      model.dispose();
    }
  });

  it('leaves a run alone when its concatenation is asked for as a feature, and when the model is not fused', async () => {
    await initEngine({ backend: 'wasm', threads: 2 });
    const model = buildModel('yolov5s_voc', { seed: 3 });
    const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const rewrite = vi.spyOn(Conv.prototype, 'forwardUpsampledConcat');
    try {
      tf.tidy(() => withFastInference(() => model.forward(x, { training: false })).decoded!.dataSync());
      expect(rewrite).not.toHaveBeenCalled(); // not fused: BN still separate
      model.fuse();
      const concat = model.layers.find((l) => l.module === 'Concat' && model.layers[l.index - 1]?.module === 'nn.Upsample')!.index;
      const r = withFastInference(() => model.forward(x, { training: false, features: [concat] }));
      expect(r.features.get(concat)!.shape[3]).toBeGreaterThan(0);
      expect(rewrite).toHaveBeenCalledTimes(1); // the other run still takes it
      r.raw.forEach((t) => t.dispose());
      r.features.forEach((t) => t.dispose());
      r.decoded?.dispose();
    } finally {
      rewrite.mockRestore();
      x.dispose();
      model.dispose();
    }
  });
});

describe('Conv.forwardUpsampledConcat', () => {
  it.each([true, false])('equals the conv of the concatenation (upsampled first: %s) on wasm and cpu', async (smallFirst) => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await initEngine({ backend, ...(backend === 'wasm' ? { threads: 2 } : {}) });
      const conv = new Conv(24 + 16, 32, 1, 1);
      conv.fuse();
      tf.tidy(() => {
        const small = tf.randomUniform([2, 5, 7, 24], -1, 1, 'float32', 8) as tf.Tensor4D;
        const other = tf.randomUniform([2, 10, 14, 16], -1, 1, 'float32', 9) as tf.Tensor4D;
        const up = tf.image.resizeNearestNeighbor(small, [10, 14]);
        const direct = conv.forward(tf.concat(smallFirst ? [up, other] : [other, up], 3) as tf.Tensor4D, { training: false, updateStats: false });
        const rewritten = conv.forwardUpsampledConcat(small, 2, other, smallFirst);
        expect(rewritten.shape).toEqual(direct.shape);
        expect(relErr(rewritten.dataSync(), direct.dataSync())).toBeLessThan(1e-6);
      });
      conv.dispose();
    }
  });
});
