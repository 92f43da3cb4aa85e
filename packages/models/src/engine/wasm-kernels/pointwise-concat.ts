// 1x1 convolutions into one concatenation on wasm (pointwise-concat/kernel-name.ts): each through the SIMD
// GEMM (simd/pointwise-conv2d.ts) straight into its channel slice of the output, instead of a FusedConv2D
// per part and a Concat that copies them again. Parts the GEMM does not cover: FusedConv2D + Concat.
import { Concat, FusedConv2D, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { PointwiseConcatAttrs } from '../pointwise-concat/kernel-name.ts';
import { PointwiseConcat } from '../pointwise-concat/kernel-name.ts';
import { planPointwiseConv2D, runPointwisePlan, type PointwiseConvArgs } from '../simd/pointwise-conv2d.ts';
import { disposeInfos, runWasmKernel, type WasmBackendLike } from './kernel-utils.ts';

function pointwiseConcat(args: { inputs: Record<string, TensorInfo | undefined>; backend: WasmBackendLike; attrs: PointwiseConcatAttrs }): TensorInfo {
  const { inputs, backend: b, attrs } = args;
  const convs: PointwiseConvArgs[] = Array.from({ length: attrs.count }, (_, i) => {
    const x = inputs[`x${i}`];
    const filter = inputs[`filter${i}`];
    if (!x || !filter) throw new Error(`pointwise-concat: part ${i} has no x or filter`);
    return { x, filter, bias: inputs[`bias${i}`], activation: attrs.activation, leakyreluAlpha: attrs.leakyAlpha, strides: 1, pad: 'valid', dilations: 1, dataFormat: 'NHWC' };
  });
  const plans = convs.map((c) => planPointwiseConv2D(b, c));
  if (plans.every((p) => p !== undefined)) {
    const total = plans.reduce((sum, p) => sum + p.n, 0);
    const [n, h, w] = plans[0].outShape;
    const y = b.makeOutput([n, h, w, total], 'float32');
    let column = 0;
    for (const p of plans) {
      runPointwisePlan(b, p, y, column, total);
      column += p.n;
    }
    return y;
  }
  const { activation, leakyAlpha } = attrs;
  const outs = convs.map(({ x, filter, bias }) =>
    runWasmKernel(b, FusedConv2D, bias ? { x, filter, bias } : { x, filter }, { strides: 1, pad: 'valid', dilations: 1, dataFormat: 'NHWC', activation, leakyreluAlpha: leakyAlpha }),
  );
  const y = runWasmKernel(b, Concat, outs, { axis: 3 });
  disposeInfos(b, ...outs);
  return y;
}

export const pointwiseConcatConfig: KernelConfig = {
  kernelName: PointwiseConcat,
  backendName: 'wasm',
  kernelFunc: pointwiseConcat as unknown as KernelFunc,
};
