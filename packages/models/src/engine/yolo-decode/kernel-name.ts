/**
 * The engine's fused YOLO decoding kernel (Detect's inference output in one pass): registered on
 * wasm (wasm-kernels/yolo-decode.ts); elsewhere Detect composes it from tf ops.
 * Inputs `l0 … l{n−1}`: each level's raw logits `[bs, na, ny, nx, no]`; output `[bs, Σ na·ny·nx, no]`.
 */
export const YoloDecode = 'DistilleryYoloDecode';

export interface YoloDecodeAttrs {
  /** Per level: the stride (pixels per grid cell). */
  strides: number[];
  /** Per level, per anchor: width, height in pixels (flat, `[level][anchor][2]`). */
  anchors: number[];
  [key: string]: number[];
}
