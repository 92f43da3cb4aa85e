/**
 * The engine's fused "upsample, add, activate" for inference heads: `y = act(x + up(small))` with `up`
 * nearest-neighbour upsampling by an integer `scale` (tfjs's resizeNearestNeighbor without corner
 * alignment: source pixel = ⌊destination / scale⌋). Inputs `x` `[b, H, W, c]` and `small`
 * `[b, H/scale, W/scale, c]`; attributes `scale`, `activation` ('linear' | 'relu6' | 'leakyrelu') and
 * `leakyAlpha`. Registered on wasm (wasm-kernels/upsample-add.ts); elsewhere composed from tf ops.
 * Inference only: it has no gradient.
 */
import type { FusedActivation } from '../fused-activation.ts';

export const UpsampleAdd = 'DistilleryUpsampleAdd';

export interface UpsampleAddAttrs {
  scale: number;
  activation: FusedActivation;
  leakyAlpha: number;
}
