/** What the SIMD convolution wrappers take: the stock Conv2D / FusedConv2D kernel's inputs and attributes. */
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';

/** Activation codes the WAT kernels switch on. */
export const ACTIVATION_MODES: Record<string, number> = { linear: 0, relu6: 1, leakyrelu: 2 };

export interface SimdConvArgs {
  x: TensorInfo;
  filter: TensorInfo;
  bias?: TensorInfo;
  activation?: string;
  leakyreluAlpha?: number;
  strides: number | [number, number];
  pad: backend_util.ExplicitPadding | 'valid' | 'same' | number;
  dilations: number | [number, number];
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}
