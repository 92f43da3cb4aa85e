/**
 * Renders one demo image in memory: a varied background (gradient, stripes/checks, blobs, noise),
 * a few faint distractor outlines, then objects of the demo classes at varied scales, rotations and
 * aspect ratios, allowed to overlap a little (later objects occlude earlier ones) and to be cut by the
 * border. Boxes are the tight boxes of the pixels actually drawn (after clipping).
 */
import type { Rng } from '../random/rng.ts';
import { DEMO_CLASSES } from './classes.ts';

export interface DemoObject {
  cls: number;
  /** Pixel box, edges: [x1, y1) to (x2, y2] in 0-based pixel-edge coordinates. */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  truncated: boolean;
}

export interface DemoImage {
  data: Uint8Array;
  width: number;
  height: number;
  objects: DemoObject[];
}

export interface RenderOptions {
  width: number;
  height: number;
  minObjects: number;
  maxObjects: number;
}

const clamp255 = (x: number) => (x < 0 ? 0 : x > 255 ? 255 : x);

function mutedColour(rng: Rng): [number, number, number] {
  const base = rng.uniform(40, 200);
  return [0, 1, 2].map(() => clamp255(base + rng.uniform(-45, 45))) as [number, number, number];
}

function background(rng: Rng, w: number, h: number): Float32Array {
  const px = new Float32Array(w * h * 3);
  const c0 = mutedColour(rng);
  const c1 = mutedColour(rng);
  const angle = rng.uniform(0, Math.PI * 2);
  const [gx, gy] = [Math.cos(angle), Math.sin(angle)];
  const kind = rng.int(0, 3); // 0 plain gradient, 1 stripes, 2 checks, 3 blobs
  const period = rng.uniform(8, 48);
  const amp = rng.uniform(10, 40);
  const c2 = mutedColour(rng);
  const blobs = Array.from({ length: 6 }, () => ({ x: rng.uniform(0, w), y: rng.uniform(0, h), r: rng.uniform(0.1, 0.4) * Math.max(w, h), a: rng.uniform(-40, 40) }));
  const sa = rng.uniform(0, Math.PI);
  const [sx, sy] = [Math.cos(sa), Math.sin(sa)];
  const diag = Math.hypot(w, h);
  const tint = [0, 1, 2].map((c) => (c2[c] - 128) / 128 + 0.5);
  // Everything per pixel is separable in x and y: precompute the per-column and per-row parts.
  const k = (2 * Math.PI) / period;
  const gxs = new Float32Array(w);
  const sinX = new Float32Array(w);
  const cosX = new Float32Array(w);
  const parX = new Uint8Array(w);
  for (let x = 0; x < w; x++) {
    gxs[x] = ((x - w / 2) * gx) / diag + 0.5;
    sinX[x] = Math.sin(x * sx * k);
    cosX[x] = Math.cos(x * sx * k);
    parX[x] = Math.floor(x / period) % 2;
  }
  for (let y = 0; y < h; y++) {
    const gy0 = ((y - h / 2) * gy) / diag;
    const sy0 = Math.sin(y * sy * k);
    const cy0 = Math.cos(y * sy * k);
    const pary = Math.floor(y / period) % 2;
    let o = y * w * 3;
    for (let x = 0; x < w; x++) {
      let t = gxs[x] + gy0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const tex = kind === 1 ? (sinX[x] * cy0 + cosX[x] * sy0) * amp : kind === 2 ? (parX[x] === pary ? amp : -amp) * 0.6 : 0;
      px[o] = c0[0] + (c1[0] - c0[0]) * t + tex * tint[0];
      px[o + 1] = c0[1] + (c1[1] - c0[1]) * t + tex * tint[1];
      px[o + 2] = c0[2] + (c1[2] - c0[2]) * t + tex * tint[2];
      o += 3;
    }
  }
  if (kind === 3) {
    // soft blobs, each only over the square where its gaussian is visible
    for (const b of blobs) {
      const reach = 2 * b.r;
      for (let y = Math.max(0, Math.floor(b.y - reach)); y < Math.min(h, Math.ceil(b.y + reach)); y++) {
        for (let x = Math.max(0, Math.floor(b.x - reach)); x < Math.min(w, Math.ceil(b.x + reach)); x++) {
          const d2 = ((x - b.x) ** 2 + (y - b.y) ** 2) / (b.r * b.r);
          if (d2 >= 4) continue;
          const v = b.a * Math.exp(-d2);
          const o = (y * w + x) * 3;
          px[o] += v;
          px[o + 1] += v;
          px[o + 2] += v;
        }
      }
    }
  }
  return px;
}

function boxIou(a: DemoObject, b: DemoObject): { iou: number; overSmaller: number } {
  const iw = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const ih = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = iw * ih;
  const aa = (a.x2 - a.x1) * (a.y2 - a.y1);
  const ab = (b.x2 - b.x1) * (b.y2 - b.y1);
  return { iou: inter / (aa + ab - inter), overSmaller: inter / Math.min(aa, ab) };
}

/** 2x2 sub-pixel sample offsets. */
const SUB = [0.25, 0.25, 0.75, 0.25, 0.25, 0.75, 0.75, 0.75];

/** Supersampled (2x2) coverage of the shape in its bounding region, then blended into `px`. */
function drawObject(px: Float32Array, w: number, h: number, rng: Rng, cls: number, cx: number, cy: number, rx: number, ry: number, rot: number) {
  const k = DEMO_CLASSES[cls];
  const jitter = [0, 1, 2].map(() => rng.uniform(-22, 22));
  const colour = k.rgb.map((v, i) => clamp255(v + jitter[i]));
  const shadeDir = rng.uniform(0, Math.PI * 2);
  const shadeAmp = rng.uniform(0.05, 0.25);
  const [cs, sn] = [Math.cos(rot), Math.sin(rot)];
  const reach = Math.hypot(rx, ry) + 1;
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(w - 1, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(h - 1, Math.ceil(cy + reach));
  let bx1 = Infinity;
  let by1 = Infinity;
  let bx2 = -Infinity;
  let by2 = -Infinity;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let cover = 0;
      for (let q = 0; q < 4; q++) {
        const dx = x + SUB[q * 2] - cx;
        const dy = y + SUB[q * 2 + 1] - cy;
        const u = (dx * cs + dy * sn) / rx;
        const v = (-dx * sn + dy * cs) / ry;
        if (k.inside(u, v)) cover += 0.25;
      }
      if (cover === 0) continue;
      if (cover >= 0.5) {
        bx1 = Math.min(bx1, x);
        by1 = Math.min(by1, y);
        bx2 = Math.max(bx2, x + 1);
        by2 = Math.max(by2, y + 1);
      }
      const shade = 1 + shadeAmp * (((x - cx) * Math.cos(shadeDir) + (y - cy) * Math.sin(shadeDir)) / reach);
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) px[o + c] = px[o + c] * (1 - cover) + colour[c] * shade * cover;
    }
  }
  return bx1 < bx2 ? { x1: bx1, y1: by1, x2: bx2, y2: by2 } : undefined;
}

export function renderDemoImage(rng: Rng, o: RenderOptions): DemoImage {
  const { width: w, height: h } = o;
  const px = background(rng, w, h);
  // faint distractor outlines: rings and lines in background-like colours
  for (let n = rng.int(0, 3); n > 0; n--) {
    const [cx, cy, r] = [rng.uniform(0, w), rng.uniform(0, h), rng.uniform(8, 50)];
    const col = mutedColour(rng);
    for (let a = 0; a < 400; a++) {
      const t = (a / 400) * Math.PI * 2;
      const x = Math.round(cx + r * Math.cos(t));
      const y = Math.round(cy + r * 0.6 * Math.sin(t));
      if (x < 0 || y < 0 || x >= w || y >= h) continue;
      const p = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) px[p + c] = col[c];
    }
  }
  const objects: DemoObject[] = [];
  const target = rng.int(o.minObjects, o.maxObjects);
  const minSide = Math.min(w, h);
  for (let attempt = 0; objects.length < target && attempt < target * 12; attempt++) {
    const cls = rng.int(0, DEMO_CLASSES.length - 1);
    // log-uniform size from ~5% to ~45% of the short side
    const size = Math.exp(rng.uniform(Math.log(minSide * 0.05), Math.log(minSide * 0.45)));
    const aspect = Math.exp(rng.uniform(-0.3, 0.3));
    const rx = (size / 2) * aspect;
    const ry = size / 2 / aspect;
    const cx = rng.uniform(rx * 0.3, w - rx * 0.3);
    const cy = rng.uniform(ry * 0.3, h - ry * 0.3);
    const rot = DEMO_CLASSES[cls].rotates ? rng.uniform(-0.5, 0.5) : 0;
    // predict the box to reject heavy overlaps before drawing
    const reach = Math.max(rx, ry);
    const probe: DemoObject = { cls, x1: cx - reach, y1: cy - reach, x2: cx + reach, y2: cy + reach, truncated: false };
    if (objects.some((b) => { const r = boxIou(b, probe); return r.iou > 0.3 || r.overSmaller > 0.5; })) continue;
    const box = drawObject(px, w, h, rng, cls, cx, cy, rx, ry, rot);
    if (!box || box.x2 - box.x1 < 4 || box.y2 - box.y1 < 4) continue;
    const truncated = box.x1 === 0 || box.y1 === 0 || box.x2 === w || box.y2 === h;
    objects.push({ cls, ...box, truncated });
  }
  // Uint8ClampedArray rounds and clamps on assignment
  const clamped = new Uint8ClampedArray(w * h * 3);
  // sensor-like noise from a cheap xorshift (one rng draw per image, not per pixel)
  let state = Math.floor(rng.next() * 0x7fffffff) | 1;
  for (let i = 0; i < clamped.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    clamped[i] = px[i] + (state & 15) - 7.5;
  }
  const data = new Uint8Array(clamped.buffer);
  return { data, width: w, height: h, objects };
}
