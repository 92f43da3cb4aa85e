// Filter gradient of a KH×KW convolution (3x3 at stride 1 and 2, and the first layer's 3-channel
// one) with the SIMD implicit-GEMM kernel (wat/conv2d-filter-gradient.wat), for co % 8 = 0:
//   dW[a, b, ci, co] = Σ_p xpad[window(p) + (a, b, ci)] · dy[p, co]
// reading the zero-padded input and the window addresses of the forward kernel (conv2d.ts), so no
// transposes and no im2col. Any number of input channels: the 4 taps of a tile are free offsets.
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { heapF32, type WasmBackendLike } from '../wasm-kernels/kernel-utils.ts';
import { padInput, paddedBytes, windowBases, type Conv2DKernel } from './conv2d.ts';
import { simdKernel } from './simd-module.ts';

interface FilterGradientKernel {
  filterGrad(bases: number, offsets: number, dy: number, pixels: number, m: number, co: number, out: number, chunk: number): void;
}

/** Floats of dy rows per pixel chunk: the chunk's dy (and its windows) stay in L2 across the tiles. */
const CHUNK_FLOATS = 1 << 16;

/** dW [kh, kw, ci, co], or undefined (the caller takes its own path) when the kernel does not apply. */
export function simdConv2DFilterGradient(b: WasmBackendLike, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | undefined {
  const { filterHeight: kh, filterWidth: kw, inChannels: c, outChannels: co } = info;
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  if (co % 8 !== 0 || co === 0 || c === 0 || pixels === 0 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const simd = simdKernel<FilterGradientKernel>(b, 'conv2d-filter-gradient');
  const forward = simdKernel<Conv2DKernel>(b, 'conv2d');
  if (simd === undefined || forward === undefined) return undefined;
  const m = kh * kw * c;
  const m4 = Math.ceil(m / 4) * 4;
  const outAt = 0;
  const offsetsAt = 8 * m4 * co;
  const basesAt = offsetsAt + 4 * m4;
  const paddedAt = basesAt + 4 * pixels;
  const dW = b.makeOutput([kh, kw, c, co], 'float32');
  simd.withScratch(paddedAt + paddedBytes(info), (scratch) => {
    const padded = padInput(b, simd, x, info, scratch + paddedAt);
    windowBases(forward.kernel, padded, info, scratch + basesAt);
    // Tap (a, bb, ci) of a window; rows past m (the last tile's padding) read the window's first tap.
    const offsets = new Int32Array(simd.f32(scratch + offsetsAt, m4).buffer, scratch + offsetsAt, m4);
    let r = 0;
    for (let a = 0; a < kh; a++) for (let bb = 0; bb < kw; bb++) for (let ci = 0; ci < c; ci++) offsets[r++] = 4 * ((a * padded.wp + bb) * c + ci);
    offsets.fill(0, m);
    const chunk = Math.max(64, Math.min(1024, Math.floor(CHUNK_FLOATS / co)));
    simd.kernel.filterGrad(scratch + basesAt, scratch + offsetsAt, heapF32(b, dy).byteOffset, pixels, m4, co, scratch + outAt, chunk);
    heapF32(b, dW).set(simd.f64(scratch + outAt, m * co));
  });
  return dW;
}
