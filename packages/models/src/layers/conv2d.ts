/** `nn.Conv2d` (NHWC, HWIO weights): plain, depthwise (groups = channels) only; PyTorch's symmetric padding. */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/module.ts';
import { uniform, type Rng } from '../nn/random.ts';
import { convOut, numel, type Profiler, type Shape4 } from '../flops/profiler.ts';
import type { FusedActivation } from '../engine/fused-activation.ts';

export type TfPadding = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

/**
 * PyTorch pads `p` on every side. TF 'same' is identical only for stride 1 and p = (k-1)/2; for stride 2 on
 * even sizes TF pads 0 before / 1 after, so anything else gets explicit padding.
 */
export function torchPadding(k: number, stride: number, p: number): TfPadding {
  if (p === 0) return 'valid';
  if (stride === 1 && 2 * p === k - 1) return 'same';
  return [[0, 0], [p, p], [p, p], [0, 0]];
}

export interface Conv2dOptions {
  stride?: number;
  padding?: number;
  groups?: number;
  bias?: boolean;
  /** Initialisation draws; `null` = zeros (shape-only builds, e.g. counting FLOPs, or before loading weights). */
  rng?: Rng | null;
}

export class Conv2d extends Module {
  readonly stride: number;
  readonly padding: number;
  readonly groups: number;
  readonly depthwise: boolean;
  readonly hasBias: boolean;
  readonly pad: TfPadding;

  constructor(
    readonly cin: number,
    readonly cout: number,
    readonly k: number,
    o: Conv2dOptions = {},
  ) {
    super();
    this.stride = o.stride ?? 1;
    this.padding = o.padding ?? 0;
    this.groups = o.groups ?? 1;
    this.hasBias = o.bias ?? true;
    if (this.groups !== 1 && !(this.groups === cin && cin === cout)) {
      throw new Error(`Conv2d(${cin}, ${cout}, groups=${this.groups}): only plain (groups 1) and depthwise (groups = channels) convolutions are supported`);
    }
    this.depthwise = this.groups !== 1;
    this.pad = torchPadding(k, this.stride, this.padding);
    const fanIn = (cin / this.groups) * k * k;
    // PyTorch's default init (kaiming_uniform, a = √5): U(±1/√fan_in) for weight and bias.
    const bound = 1 / Math.sqrt(fanIn);
    const rng = o.rng === undefined ? Math.random : o.rng;
    const shape: [number, number, number, number] = this.depthwise ? [k, k, cin, 1] : [k, k, cin, cout];
    const draw = (n: number) => (rng ? uniform(rng, n, bound) : new Float32Array(n));
    this.registerParameter('weight', tf.tensor4d(draw(shape.reduce((a, b) => a * b, 1)), shape), this.depthwise ? 'depthwise' : 'conv');
    if (this.hasBias) this.registerParameter('bias', tf.tensor1d(draw(cout)));
  }

  get weight(): tf.Tensor4D {
    return this.get('weight') as tf.Tensor4D;
  }

  get bias(): tf.Tensor1D | undefined {
    return this.hasBias ? (this.get('bias') as tf.Tensor1D) : undefined;
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return convolve(x, this.weight, this.bias, this, 'linear');
  }

  profile(input: Shape4, p: Profiler, withBias = this.hasBias): Shape4 {
    const out: Shape4 = [input[0], convOut(input[1], this.k, this.stride, this.padding), convOut(input[2], this.k, this.stride, this.padding), this.cout];
    const perOut = (this.cin / this.groups) * this.k * this.k;
    p.macs += numel(out) * (perOut + (withBias ? 1 : 0));
    p.params += perOut * this.cout + (withBias ? this.cout : 0);
    return out;
  }
}

export type ConvActivation = FusedActivation;

/** One (fused) tfjs convolution with optional bias and activation, plain or depthwise. */
export function convolve(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D | undefined,
  conv: Pick<Conv2d, 'stride' | 'pad' | 'depthwise'>,
  activation: ConvActivation,
): tf.Tensor4D {
  const args = { x, filter, strides: conv.stride, pad: conv.pad, bias, activation, leakyreluAlpha: 0.1 } as const;
  if (!bias && activation === 'linear') {
    return conv.depthwise ? tf.depthwiseConv2d(x, filter, conv.stride, conv.pad) : tf.conv2d(x, filter, conv.stride, conv.pad);
  }
  // fused.depthwiseConv2d's typings omit explicit padding, which its kernels (conv_util) do accept.
  return conv.depthwise ? tf.fused.depthwiseConv2d({ ...args, pad: args.pad as 'valid' }) : tf.fused.conv2d(args);
}
