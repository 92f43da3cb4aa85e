/**
 * Parameter/MAC accumulation by the rules of thop 0.0.31 (what upstream `script/cal_flop.py` and
 * `model_info` used): Conv2d = out.numel·(c_in/groups·kh·kw + bias), BatchNorm2d (eval) = 2·in.numel,
 * LeakyReLU = in.numel, ReLU6/MaxPool/Upsample/Concat/Detect = 0; params = parameters of leaf modules.
 * `fused` counts the model after `Model.fuse()`: every conv followed by a BN gains a bias and loses the BN,
 * except BottleneckCSP's own BN (applied to a concatenation, not foldable).
 */
export type Shape4 = [n: number, h: number, w: number, c: number];

export interface Profiler {
  fused: boolean;
  macs: number;
  params: number;
}

export function numel(s: Shape4): number {
  return s[0] * s[1] * s[2] * s[3];
}

/** Output size of a conv/pool along one axis (PyTorch formula, floor). */
export function convOut(size: number, k: number, s: number, p: number): number {
  return Math.floor((size + 2 * p - k) / s) + 1;
}
