// Float32 accuracy of every layer type against a float64 reference (cpu and wasm, BN in both modes), and
// the decode's float32 arithmetic in upstream's operation order. The golden raw outputs can only be matched
// to the float32 noise floor (see reference/raw-output-checks.ts); these tests guard that each layer adds nothing
// beyond float32 rounding, which is what keeps us at that floor.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { BatchNorm2d, buildModel, createRng, type YoloModel } from '../src/index.ts';
import { torchSigmoid } from '../src/layers/detect.ts';
import { concat, forward64, fromTf, type T64 } from '../src/reference/float64-blocks.ts';

const F = Math.fround;

/** One float32 ulp at the magnitude of `v`. */
function ulp(v: number): number {
  return v === 0 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(Math.abs(v))) - 23);
}

/** BN parameters and running statistics away from the identity, so eval-mode BN does real work. */
function perturbBatchNorms(model: YoloModel, seed: number): void {
  const rng = createRng(seed);
  const u = (n: number, lo: number, hi: number) => tf.tensor1d(Array.from({ length: n }, () => lo + (hi - lo) * rng()));
  const state = new Map([...model.namedParameters(), ...model.namedBuffers()]);
  for (const [path, m] of model.namedModules()) {
    if (!(m instanceof BatchNorm2d)) continue;
    const c = m.channels;
    const set = (name: string, t: tf.Tensor1D) => {
      state.get(`${path}.${name}`)!.assign(t);
      t.dispose();
    };
    set('weight', u(c, 0.6, 1.4));
    set('bias', u(c, -0.2, 0.2));
    set('running_mean', u(c, -0.2, 0.2));
    set('running_var', u(c, 0.3, 1.5));
  }
}

/**
 * Per layer: the float64 forward of the layer applied to the tfjs input of that layer, against the tfjs output,
 * in ulps of the layer's largest output. A few ulps per op (conv sums add O(√K) ulps, BN and residual adds one
 * each) — a formulation error (wrong ε, padding, slice order, activation slope) shows up as hundreds or more.
 */
function localErrorsInUlps(model: YoloModel, x: tf.Tensor4D, training: boolean): Map<string, number> {
  const det = model.detectIndex;
  const r = model.forward(x, { training, updateStats: false, features: Array.from({ length: det }, (_, i) => i) });
  const outs: T64[] = Array.from({ length: det }, (_, i) => fromTf(r.features.get(i)!));
  r.raw.forEach((t) => t.dispose());
  r.features.forEach((t) => t.dispose());
  const x64 = fromTf(x);
  const worst = new Map<string, number>();
  const layers = model.child('model')!;
  for (const info of model.layers.slice(0, det)) {
    const ins = info.inputs.map((j) => (j === -1 ? x64 : outs[j]));
    const ref = info.module === 'Concat' ? concat(ins) : forward64(layers.child(String(info.index))!, ins[0], training);
    const mine = outs[info.index].d;
    let err = 0;
    let mag = 0;
    for (let i = 0; i < mine.length; i++) {
      err = Math.max(err, Math.abs(mine[i] - ref.d[i]));
      mag = Math.max(mag, Math.abs(ref.d[i]));
    }
    worst.set(info.module, Math.max(worst.get(info.module) ?? 0, err / ulp(mag)));
  }
  return worst;
}

describe.each(['cpu', 'wasm'])('%s backend', (backend) => {
  for (const config of ['yolov5s_voc', 'mobile-yolo5s_voc']) {
    it(`${config}: every layer type adds only float32 rounding, eval and train BN`, async () => {
      await tf.setBackend(backend);
      const model = buildModel(config, { seed: 5 });
      perturbBatchNorms(model, 6);
      const x = tf.randomUniform([2, 64, 96, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
      try {
        for (const training of [false, true]) {
          const worst = localErrorsInUlps(model, x, training);
          for (const [type, ulps] of worst) {
            // Pure data movement is exact; arithmetic blocks (several convs deep) stay within a few dozen ulps.
            // Training-mode BN over few rows (2×2×3 at P5 here) cancels in x·α + β', hence the wider bound.
            const bound = type === 'Concat' || type === 'nn.Upsample' ? 0 : training ? 160 : 64;
            if (process.env.NUMERICS_LOG) console.log(backend, config, training ? 'train' : 'eval', type, ulps.toFixed(1));
            expect({ type, training, ulps, ok: ulps <= bound }).toEqual({ type, training, ulps, ok: true });
          }
        }
      } finally {
        x.dispose();
        model.dispose();
      }
    }, 60_000);
  }

  it('σ is 1/(1 + exp(−x)) rounded to float32 at each step, as PyTorch composes it', async () => {
    await tf.setBackend(backend);
    const xs = Float32Array.from({ length: 4001 }, (_, i) => F(-20 + i / 100 + 1 / 7));
    const mine = tf.tidy(() => torchSigmoid(tf.tensor1d(xs)).dataSync());
    const emulated = xs.map((v) => F(1 / F(1 + F(Math.exp(-v)))));
    let worst = 0;
    for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(mine[i] - emulated[i]) / ulp(emulated[i]));
    // tfjs-cpu's exp is double-precision rounded once (= the emulation); WASM's expf may differ by an ulp.
    expect(worst).toBeLessThanOrEqual(backend === 'cpu' ? 0 : 1);
    const extremes = tf.tidy(() => torchSigmoid(tf.tensor1d([-1000, -100, 0, 100, 1000])).dataSync());
    // exp(100) overflows float32: σ(−100) is 0, as in PyTorch.
    expect([...extremes]).toEqual([0, 0, 0.5, 1, 1]);
  });

  it("decoding is upstream's float32 arithmetic on σ: (2σ − 0.5 + grid)·stride and (2σ)²·anchor", async () => {
    await tf.setBackend(backend);
    const model = buildModel('mobile-yolo5s_voc', { init: 'zeros' });
    const rng = createRng(9);
    const shapes = [8, 4, 2].map((ny, l) => [1, 3, ny, ny + l, 25] as [number, number, number, number, number]);
    const raws = shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => F(8 * rng() - 4)));
    try {
      const decode = (rs: Float32Array[]) => tf.tidy(() => model.detect.decode(rs.map((r, l) => tf.tensor5d(r, shapes[l]))).dataSync());
      const dec = decode(raws);
      // σ of each row's box logits as this engine computes it (tf ops, or wasm's fused kernel): the
      // same logits moved to fields 4..7 of a second decoding come out as plain σ.
      const moved = raws.map((r) => {
        const m = Float32Array.from(r);
        for (let o = 0; o < m.length; o += 25) m.set(r.subarray(o, o + 4), o + 4);
        return m;
      });
      const boxSigma = decode(moved);
      const anchors = model.anchors;
      let row = 0;
      let mismatches = 0;
      shapes.forEach(([, na, ny, nx, no], l) => {
        const stride = model.strides[l];
        for (let a = 0; a < na; a++)
          for (let gy = 0; gy < ny; gy++)
            for (let gx = 0; gx < nx; gx++, row++) {
              const s = boxSigma.subarray(row * no + 4, row * no + 8);
              const want = [
                F(F(F(F(s[0] * 2) - 0.5) + gx) * stride),
                F(F(F(F(s[1] * 2) - 0.5) + gy) * stride),
                F(F(F(s[2] * 2) * F(s[2] * 2)) * anchors[l][a][0]),
                F(F(F(s[3] * 2) * F(s[3] * 2)) * anchors[l][a][1]),
              ];
              for (let k = 0; k < 4; k++) if (dec[row * no + k] !== want[k]) mismatches++;
              // and the class/objectness fields are σ of their logits, computed the same way
              const raw = raws[l].subarray((((a * ny + gy) * nx + gx) * no), (((a * ny + gy) * nx + gx) * no) + no);
              for (let k = 4; k < no; k++) if (Math.abs(dec[row * no + k] - 1 / (1 + Math.exp(-raw[k]))) > 2.5e-7) mismatches++;
            }
      });
      expect(mismatches).toBe(0);
    } finally {
      model.dispose();
    }
  });
});
