/**
 * A whole YOLO network in float64 (float64-blocks.ts): the head's raw outputs as exact arithmetic on the
 * model's float32 weights and input gives them. Any float32 forward (tfjs's, PyTorch's) lands some
 * distance from these; the golden checks use PyTorch's distance as the measure of how much float32
 * rounding its own outputs carry (io/model-case.ts).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { YoloModel } from '../zoo/yolo-model.ts';
import { concat, forward64, fromTf, type T64 } from './float64-blocks.ts';

/** One head level in upstream's raw layout `[bs, na, ny, nx, no]`. */
export interface RawLevel64 {
  shape: [number, number, number, number, number];
  data: Float64Array;
}

/** Raw head outputs of `model` on `x` in float64; `training`: BN with the batch's statistics (running stats untouched). */
export function float64RawOutputs(model: YoloModel, x: tf.Tensor4D, training: boolean): RawLevel64[] {
  const layers = model.child('model')!;
  const det = model.detectIndex;
  const x64 = fromTf(x);
  const outs: T64[] = [];
  for (const info of model.layers.slice(0, det)) {
    const ins = info.inputs.map((j) => (j === -1 ? x64 : outs[j]!));
    outs[info.index] = info.module === 'Concat' ? concat(ins) : forward64(layers.child(String(info.index))!, ins[0]!, training);
  }
  const { na, no } = model.detect;
  return model.layers[det]!.inputs.map((j) => {
    // Head conv output NHWC [bs, ny, nx, na·no] → [bs, na, ny, nx, no]
    const { s, d } = outs[j]!;
    const [bs, ny, nx] = s;
    const data = new Float64Array(d.length);
    let i = 0;
    for (let b = 0; b < bs; b++)
      for (let a = 0; a < na; a++)
        for (let y = 0; y < ny; y++)
          for (let xx = 0; xx < nx; xx++) {
            const from = ((b * ny + y) * nx + xx) * na * no + a * no;
            for (let k = 0; k < no; k++) data[i++] = d[from + k]!;
          }
    return { shape: [bs, na, ny, nx, no], data };
  });
}
