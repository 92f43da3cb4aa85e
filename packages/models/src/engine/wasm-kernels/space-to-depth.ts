// Focus's space-to-depth on wasm (space-to-depth/kernel-name.ts) in one pass (simd/wat/space-to-depth.wat),
// split by output rows over the heap's threads, instead of the stock 6-D Transpose (3.5 ms for a
// 640x640 RGB image on 2 threads). Without the kernel module, the same copy as a JS loop.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SpaceToDepthRowFirst } from '../space-to-depth/kernel-name.ts';
import { simdKernel, splitRows } from '../simd/simd-module.ts';
import { int32View, type WasmBackendLike } from './kernel-utils.ts';

interface SpaceToDepthKernel {
  rowFirst(x: number, y: number, r0: number, r1: number, w: number, c: number): void;
}

/** Output rows below which a part is not worth handing to another thread. */
const MIN_PART_ROWS = 32;

/** The WAT kernel's copy in JS, on 32-bit words: output rows [r0, r1). */
export function spaceToDepthRowFirstJs(x: Int32Array, y: Int32Array, r0: number, r1: number, w: number, c: number): void {
  let o = r0 * 2 * w * c;
  for (let r = r0; r < r1; r++) {
    const top = 2 * r * w * c;
    for (let j = 0; j < w; j += 2) {
      // groups: (row 0, col 0), (row 1, col 0), (row 0, col 1), (row 1, col 1)
      for (const start of [top + j * c, top + (w + j) * c, top + (j + 1) * c, top + (w + j + 1) * c]) {
        for (let q = 0; q < c; q++) y[o++] = x[start + q];
      }
    }
  }
}

function spaceToDepth(args: { inputs: { x: TensorInfo }; backend: WasmBackendLike }): TensorInfo {
  const { inputs, backend: b } = args;
  const [n, h, w, c] = inputs.x.shape;
  if (h % 2 !== 0 || w % 2 !== 0) throw new Error(`space-to-depth needs an even height and width, got ${h}x${w}`);
  const dtype = inputs.x.dtype;
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`space-to-depth takes float32 or int32, got ${dtype}`);
  const y = b.makeOutput([n, h / 2, w / 2, 4 * c], dtype);
  const rows = (n * h) / 2;
  const simd = simdKernel<SpaceToDepthKernel>(b, 'space-to-depth');
  if (simd === undefined) {
    spaceToDepthRowFirstJs(int32View(b, inputs.x), int32View(b, y), 0, rows, w, c);
    return y;
  }
  // Words are copied as they are: any 32-bit dtype.
  const xAt = int32View(b, inputs.x).byteOffset;
  const yAt = int32View(b, y).byteOffset;
  simd.parallel('rowFirst', splitRows(rows, simd.threads, 1, MIN_PART_ROWS).map(([r0, r1]) => [xAt, yAt, r0, r1, w, c]));
  return y;
}

export const spaceToDepthConfig: KernelConfig = {
  kernelName: SpaceToDepthRowFirst,
  backendName: 'wasm',
  kernelFunc: spaceToDepth as unknown as KernelFunc,
};
