/**
 * Upstream `augment_hsv`: random gains r = 1 + U(-1, 1)·(h, s, v gain) applied through lookup tables in
 * OpenCV's 8-bit HSV space (H in [0, 180), S and V in [0, 255]); hue wraps modulo 180, S and V clip.
 */
import type { Rng } from '../random/rng.ts';
import type { RgbImage } from '../image/rgb-image.ts';

export function hsvLuts(gains: [number, number, number]): { hue: Uint8Array; sat: Uint8Array; val: Uint8Array } {
  const hue = new Uint8Array(256);
  const sat = new Uint8Array(256);
  const val = new Uint8Array(256);
  for (let x = 0; x < 256; x++) {
    // numpy: (x * r) % 180 then astype(uint8) truncates
    hue[x] = Math.floor(((x * gains[0]) % 180 + 180) % 180);
    sat[x] = Math.floor(Math.min(Math.max(x * gains[1], 0), 255));
    val[x] = Math.floor(Math.min(Math.max(x * gains[2], 0), 255));
  }
  return { hue, sat, val };
}

/** In place. Draws 3 uniforms (h, s, v order, as np.random.uniform(-1, 1, 3)). */
export function augmentHsv(img: RgbImage, hgain: number, sgain: number, vgain: number, rng: Rng): void {
  const gains: [number, number, number] = [rng.uniform(-1, 1) * hgain + 1, rng.uniform(-1, 1) * sgain + 1, rng.uniform(-1, 1) * vgain + 1];
  applyHsvGains(img, gains);
}

export function applyHsvGains(img: RgbImage, gains: [number, number, number]): void {
  const { hue, sat, val } = hsvLuts(gains);
  const d = img.data;
  for (let i = 0; i < d.length; i += 3) {
    const r = d[i];
    const g = d[i + 1];
    const b = d[i + 2];
    // RGB → HSV, OpenCV 8-bit convention
    const v = Math.max(r, g, b);
    const mn = Math.min(r, g, b);
    const diff = v - mn;
    const s8 = v === 0 ? 0 : Math.round((255 * diff) / v);
    let h = 0;
    if (diff !== 0) {
      if (v === r) h = (60 * (g - b)) / diff;
      else if (v === g) h = 120 + (60 * (b - r)) / diff;
      else h = 240 + (60 * (r - g)) / diff;
      if (h < 0) h += 360;
    }
    let h8 = Math.round(h / 2);
    if (h8 >= 180) h8 -= 180;
    // LUTs, then HSV → RGB
    const H = hue[h8] * 2;
    const S = sat[s8] / 255;
    const V = val[v];
    if (S === 0) {
      d[i] = d[i + 1] = d[i + 2] = V;
      continue;
    }
    const hh = (H % 360) / 60;
    const sector = Math.floor(hh);
    const f = hh - sector;
    const p = V * (1 - S);
    const q = V * (1 - S * f);
    const t = V * (1 - S * (1 - f));
    let R: number, G: number, B: number;
    switch (sector) {
      case 0: [R, G, B] = [V, t, p]; break;
      case 1: [R, G, B] = [q, V, p]; break;
      case 2: [R, G, B] = [p, V, t]; break;
      case 3: [R, G, B] = [p, q, V]; break;
      case 4: [R, G, B] = [t, p, V]; break;
      default: [R, G, B] = [V, p, q];
    }
    d[i] = Math.round(R);
    d[i + 1] = Math.round(G);
    d[i + 2] = Math.round(B);
  }
}
