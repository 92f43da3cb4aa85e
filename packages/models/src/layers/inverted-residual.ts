/**
 * MobileNetV2 `InvertedResidual(inp, oup, stride, t)`: [1×1 ConvBNReLU to round(inp·t) if t ≠ 1] →
 * depthwise 3×3 ConvBNReLU with the stride → 1×1 conv → BN (no activation); residual iff stride 1 and
 * inp = oup. Keys: `conv.0.0.weight`, `conv.0.1.*`, … `conv.2.weight`, `conv.3.*` (t ≠ 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from '../nn/module.ts';
import type { Rng } from '../nn/random.ts';
import type { Block } from '../nn/sequential.ts';
import type { Profiler, Shape4 } from '../flops/profiler.ts';
import { Conv2d, convolve } from './conv2d.ts';
import { BatchNorm2d } from './batch-norm.ts';
import { ConvBNReLU } from './conv-bn-relu.ts';
import { disposeFolded, foldBatchNorm, type Folded } from './fold.ts';

/** The pw-linear tail (conv then BN, two siblings in upstream's Sequential) as one foldable unit. */
class LinearTail {
  private folded?: Folded;
  constructor(
    readonly conv: Conv2d,
    readonly bn: BatchNorm2d,
  ) {}
  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    if (this.folded && !ctx.training) return convolve(x, this.folded.filter, this.folded.bias, this.conv, 'linear');
    return this.bn.forward(this.conv.forward(x), ctx);
  }
  fuse(): void {
    this.unfuse();
    this.folded = foldBatchNorm(this.conv, this.bn);
  }
  unfuse(): void {
    this.folded = disposeFolded(this.folded);
  }
  profile(input: Shape4, p: Profiler): Shape4 {
    if (p.fused) return this.conv.profile(input, p, true);
    return this.bn.profile(this.conv.profile(input, p), p);
  }
}

/** Holds the Sequential's members under the numeric names upstream uses. */
class InvertedResidualBody extends Module {
  constructor(members: Module[]) {
    super();
    members.forEach((m, i) => this.registerModule(String(i), m));
  }
}

/** Widths of a pruned block (network slimming): the expansion width and the ORIGINAL residual decision. */
export interface InvertedResidualWidths {
  hidden?: number;
  residual?: boolean;
}

export class InvertedResidual extends Module implements Block {
  readonly hidden: number;
  readonly useResidual: boolean;
  private readonly stages: ConvBNReLU[];
  private readonly tail: LinearTail;

  constructor(
    readonly inp: number,
    readonly oup: number,
    readonly stride: number,
    readonly expandRatio: number,
    rng?: Rng | null,
    pruned?: InvertedResidualWidths,
  ) {
    super();
    const where = `InvertedResidual(${inp}, ${oup}, ${stride}, ${expandRatio})`;
    if (stride !== 1 && stride !== 2) throw new Error(`${where}: stride must be 1 or 2`);
    this.hidden = expandRatio === 1 ? inp : (pruned?.hidden ?? pyRoundHalfEven(inp * expandRatio));
    this.useResidual = pruned?.residual ?? (stride === 1 && inp === oup);
    if (this.useResidual && inp !== oup) throw new Error(`${where}: a residual block needs as many output as input channels`);
    this.stages = [];
    if (expandRatio !== 1) this.stages.push(new ConvBNReLU(inp, this.hidden, 1, 1, 1, rng));
    this.stages.push(new ConvBNReLU(this.hidden, this.hidden, 3, stride, this.hidden, rng));
    const conv = new Conv2d(this.hidden, oup, 1, { bias: false, rng });
    const bn = new BatchNorm2d(oup);
    this.tail = new LinearTail(conv, bn);
    this.registerModule('conv', new InvertedResidualBody([...this.stages, conv, bn]));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    let y = x;
    for (const s of this.stages) y = s.forward(y, ctx);
    y = this.tail.forward(y, ctx);
    return this.useResidual ? tf.add(x, y) : y;
  }

  override fuse(): void {
    super.fuse();
    this.tail.fuse();
  }

  override unfuse(): void {
    super.unfuse();
    this.tail.unfuse();
  }

  profile(input: Shape4, p: Profiler): Shape4 {
    let s = input;
    for (const st of this.stages) s = st.profile(s, p);
    return this.tail.profile(s, p);
  }
}

/** Python 3 `round()` (half to even), which upstream's `int(round(inp * t))` uses. */
export function pyRoundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

