/** Stacks samples into a contract-3 `Batch`: pixels to float [0, 1], targets prefixed with the image index. */
import type { Batch, Sample } from '../types.ts';

export function collate(samples: Sample[], indices: number[]): Batch {
  if (samples.length === 0) throw new Error('collate: no samples');
  const { height: h, width: w } = samples[0];
  const per = h * w * 3;
  const images = new Float32Array(samples.length * per);
  let nTargets = 0;
  let nIgnored = 0;
  samples.forEach((s, b) => {
    if (s.height !== h || s.width !== w) {
      throw new Error(`collate: ${s.path} is ${s.width}x${s.height} but the batch is ${w}x${h} (use a fixed letterbox shape)`);
    }
    const src = s.image;
    const o = b * per;
    for (let i = 0; i < per; i++) images[o + i] = src[i] / 255;
    nTargets += s.labels.length / 5;
    nIgnored += s.ignored.length / 5;
  });
  const targets = new Float32Array(nTargets * 6);
  const ignored = new Float32Array(nIgnored * 6);
  let t = 0;
  let g = 0;
  samples.forEach((s, b) => {
    for (let i = 0; i < s.labels.length; i += 5) {
      targets[t++] = b;
      for (let k = 0; k < 5; k++) targets[t++] = s.labels[i + k];
    }
    for (let i = 0; i < s.ignored.length; i += 5) {
      ignored[g++] = b;
      for (let k = 0; k < 5; k++) ignored[g++] = s.ignored[i + k];
    }
  });
  return {
    images,
    shape: [samples.length, h, w],
    targets,
    nTargets,
    ignored,
    nIgnored,
    paths: samples.map((s) => s.path),
    meta: samples.map((s) => s.meta),
    indices,
  };
}
