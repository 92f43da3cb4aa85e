// The window walk the depthwise gradient kernels' JS fallbacks share: every (dy pixel, filter tap)
// pair whose input pixel lies inside the image, as the heap offsets of its channel runs.
import type { backend_util } from '@tensorflow/tfjs-core';

/**
 * Calls `visit(xOffset, dyOffset, tapOffset)` for each such pair: offsets (in floats) of the input
 * pixel's C channels, the dy pixel's C·m channels and the tap's C·m filter values.
 */
export function forEachDepthwiseTap(info: backend_util.Conv2DInfo, m: number, visit: (xOffset: number, dyOffset: number, tapOffset: number) => void): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const cm = c * m;
  for (let bi = 0; bi < n; bi++) {
    for (let i = 0; i < ho; i++) {
      for (let a = 0; a < kh; a++) {
        const y = i * sh + a * dh - top;
        if (y < 0 || y >= h) continue;
        for (let j = 0; j < wo; j++) {
          const dyOffset = ((bi * ho + i) * wo + j) * cm;
          for (let bb = 0; bb < kw; bb++) {
            const xc = j * sw + bb * dw - left;
            if (xc < 0 || xc >= w) continue;
            visit(((bi * h + y) * w + xc) * c, dyOffset, (a * kw + bb) * cm);
          }
        }
      }
    }
  }
}
