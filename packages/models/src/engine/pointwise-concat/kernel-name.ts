/**
 * The engine's "1x1 convolutions, concatenated": `y = concat_i(act(x_i ⊛ filter_i + bias_i))` along the
 * channels, each convolution writing its own channel slice of y, so no separate concatenation pass reads
 * and writes them again (BottleneckCSP's folded tail: cv3 and cv2 into cv4's input). Inputs `x0`,
 * `filter0` (`[1, 1, k_i, n_i]`), `bias0` (optional), `x1`, …; attributes `count`, `activation`
 * ('linear' | 'relu6' | 'leakyrelu') and `leakyAlpha`. Registered on wasm (wasm-kernels/pointwise-concat.ts);
 * elsewhere composed from tf ops. Inference only: it has no gradient.
 */
import type { FusedActivation } from '../fused-activation.ts';

export const PointwiseConcat = 'DistilleryPointwiseConcat';

export interface PointwiseConcatAttrs {
  count: number;
  activation: FusedActivation;
  leakyAlpha: number;
}
