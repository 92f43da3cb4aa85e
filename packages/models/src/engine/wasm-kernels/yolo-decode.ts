// YOLO decoding on wasm in one kernel (simd/wat/yolo-decode.wat): σ of every field plus the box
// transform, straight from each level's raw logits into the concatenated output, split over the
// heap's threads — instead of ~15 stock kernels (concat, neg, exp, add, div, three slices, …).
// Without SIMD the same arithmetic runs as a JS loop.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { YoloDecode, type YoloDecodeAttrs } from '../yolo-decode/kernel-name.ts';
import { simdKernel, splitRows } from '../simd/simd-module.ts';
import { heapF32, type WasmBackendLike } from './kernel-utils.ts';

interface YoloDecodeKernel {
  decode(src: number, dst: number, r0: number, r1: number, ny: number, nx: number, no: number, stride: number, anchors: number): void;
}

/** Rows below which a part is not worth handing to another thread. */
const MIN_PART_ROWS = 2048;

const f = Math.fround;

/** The WAT kernel's arithmetic in JS (float32 rounding at every step; exp in double, then rounded). */
function decodeRowsJs(src: Float32Array, dst: Float32Array, rows: number, ny: number, nx: number, no: number, stride: number, anchors: ArrayLike<number>): void {
  for (let i = 0; i < rows * no; i++) dst[i] = f(1 / f(1 + f(Math.exp(-src[i]))));
  for (let r = 0; r < rows; r++) {
    const a = Math.floor(r / (ny * nx));
    const cell = r % (ny * nx);
    const o = r * no;
    dst[o] = f(f(f(f(dst[o] * 2) - 0.5) + (cell % nx)) * stride);
    dst[o + 1] = f(f(f(f(dst[o + 1] * 2) - 0.5) + Math.floor(cell / nx)) * stride);
    const w = f(dst[o + 2] * 2);
    const h = f(dst[o + 3] * 2);
    dst[o + 2] = f(f(w * w) * anchors[2 * a]);
    dst[o + 3] = f(f(h * h) * anchors[2 * a + 1]);
  }
}

function yoloDecode(args: { inputs: Record<string, TensorInfo>; backend: WasmBackendLike; attrs: YoloDecodeAttrs }): TensorInfo {
  const { inputs, backend: b, attrs } = args;
  const levels = attrs.strides.map((_, l) => inputs[`l${l}`]);
  const [bs, , , , no] = levels[0].shape;
  const rowsOf = (t: TensorInfo) => t.shape[1] * t.shape[2] * t.shape[3];
  const total = levels.reduce((n, t) => n + rowsOf(t), 0);
  const y = b.makeOutput([bs, total, no], 'float32');
  const simd = simdKernel<YoloDecodeKernel>(b, 'yolo-decode');
  if (simd === undefined) {
    const out = heapF32(b, y);
    for (let img = 0; img < bs; img++) {
      let offset = 0;
      levels.forEach((t, l) => {
        const [, na, ny, nx] = t.shape;
        const rows = rowsOf(t);
        const src = heapF32(b, t).subarray(img * rows * no, (img + 1) * rows * no);
        const dst = out.subarray((img * total + offset) * no, (img * total + offset + rows) * no);
        decodeRowsJs(src, dst, rows, ny, nx, no, attrs.strides[l], attrs.anchors.slice(2 * na * l, 2 * na * (l + 1)));
        offset += rows;
      });
    }
    return y;
  }
  simd.withScratch(4 * attrs.anchors.length, (anchorsAt) => {
    simd.f32(anchorsAt, attrs.anchors.length).set(attrs.anchors);
    const yAt = heapF32(b, y).byteOffset;
    for (let img = 0; img < bs; img++) {
      let offset = 0;
      let anchorOffset = 0;
      levels.forEach((t, l) => {
        const [, na, ny, nx] = t.shape;
        const rows = rowsOf(t);
        const src = heapF32(b, t).byteOffset + 4 * img * rows * no;
        const dst = yAt + 4 * (img * total + offset) * no;
        const parts = splitRows(rows, simd.threads, 1, MIN_PART_ROWS);
        simd.parallel('decode', parts.map(([r0, r1]) => [src, dst, r0, r1, ny, nx, no, attrs.strides[l], anchorsAt + 4 * anchorOffset]));
        offset += rows;
        anchorOffset += 2 * na;
      });
    }
  });
  return y;
}

export const yoloDecodeConfig: KernelConfig = {
  kernelName: YoloDecode,
  backendName: 'wasm',
  kernelFunc: yoloDecode as unknown as KernelFunc,
};
