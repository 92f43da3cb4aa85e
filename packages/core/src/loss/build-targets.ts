/**
 * Upstream `utils/utils.py build_targets` (style 'rect4'), in plain float32 arithmetic: which
 * (image, anchor, cell) each target trains, with which box. Pure JS, no tfjs: the result only depends
 * on the grid shapes, the anchors and the targets, and must match upstream index for index.
 */
import type { LossModelMeta } from './hyp.ts';

const f32 = Math.fround;

/** The neighbour offsets of 'rect4' (g = 0.5), appended in this order: left, up, right, down. */
const RECT4_OFFSETS: ReadonlyArray<readonly [number, number]> = [
  [0.5, 0],
  [0, 0.5],
  [-0.5, 0],
  [0, -0.5],
];
const G = 0.5;

export interface LevelTargets {
  ny: number;
  nx: number;
  /** Number of entries (target × anchor × cell copies). */
  n: number;
  b: Int32Array;
  a: Int32Array;
  gj: Int32Array;
  gi: Int32Array;
  tcls: Int32Array;
  /** Rows `(x − gi, y − gj, w, h)` in grid units, float32 exact; xy in [−0.5, 1.5]. */
  tbox: Float32Array;
  /** Rows `(w, h)`: the matched anchor in grid units. */
  anchors: Float32Array;
}

/**
 * @param grids per level `[ny, nx]` (from the raw output shapes `[bs, na, ny, nx, no]`)
 * @param targets rows `(image, class, x, y, w, h)`, xywh normalised to the input
 * @param anchorT upstream `hyp['anchor_t']`: a target trains an anchor iff both wh ratios are within it
 */
export function buildTargets(
  grids: ReadonlyArray<readonly [number, number]>,
  targets: ArrayLike<number>,
  meta: Pick<LossModelMeta, 'anchors'>,
  anchorT: number,
): LevelTargets[] {
  if (targets.length % 6 !== 0) {
    throw new Error(
      `targets: expected rows of 6 values (image, class, x, y, w, h), got ${targets.length} values`,
    );
  }
  if (grids.length !== meta.anchors.length) {
    throw new Error(
      `got ${grids.length} output levels but the model has ${meta.anchors.length} anchor levels`,
    );
  }
  const nt = targets.length / 6;
  return grids.map(([ny, nx], level) => {
    const levelAnchors = meta.anchors[level];
    const na = levelAnchors.length;
    const gain = [1, 1, nx, ny, nx, ny];
    // t = targets * gain, in float32 like the torch tensor.
    const t: number[][] = [];
    for (let i = 0; i < nt; i++) {
      const row: number[] = [];
      for (let k = 0; k < 6; k++) row.push(f32(f32(targets[i * 6 + k]) * gain[k]));
      t.push(row);
    }
    // Anchor matching, anchor-major: all targets of anchor 0, then anchor 1, ...
    const kept: Array<{ a: number; t: number[] }> = [];
    for (let a = 0; a < na; a++) {
      const aw = f32(levelAnchors[a][0]);
      const ah = f32(levelAnchors[a][1]);
      for (const row of t) {
        const rw = f32(row[4] / aw);
        const rh = f32(row[5] / ah);
        const worst = Math.max(rw, f32(1 / rw), rh, f32(1 / rh));
        if (worst < anchorT) kept.push({ a, t: row });
      }
    }
    // rect4 neighbour cells: [kept, left, up, right, down], each group in kept order.
    const entries: Array<{ a: number; t: number[]; off: readonly [number, number] }> = kept.map((e) => ({
      ...e,
      off: [0, 0] as const,
    }));
    const limits = [nx, ny];
    for (let dir = 0; dir < 4; dir++) {
      const axis = dir % 2; // left/right move along x, up/down along y
      const lowSide = dir < 2;
      for (const e of kept) {
        const v = e.t[2 + axis];
        const frac = f32(v - Math.floor(v)); // torch's `%` (sign of the divisor), exact in float32
        const take = lowSide ? frac < G && v > 1 : frac > 1 - G && v < limits[axis] - 1;
        if (take) entries.push({ ...e, off: RECT4_OFFSETS[dir] });
      }
    }
    const n = entries.length;
    const out: LevelTargets = {
      ny,
      nx,
      n,
      b: new Int32Array(n),
      a: new Int32Array(n),
      gj: new Int32Array(n),
      gi: new Int32Array(n),
      tcls: new Int32Array(n),
      tbox: new Float32Array(n * 4),
      anchors: new Float32Array(n * 2),
    };
    entries.forEach((e, i) => {
      const gx = e.t[2];
      const gy = e.t[3];
      // `.long()` truncates toward zero.
      let gi = Math.trunc(f32(gx - e.off[0]));
      let gj = Math.trunc(f32(gy - e.off[1]));
      const tx = f32(gx - gi);
      const ty = f32(gy - gj);
      // A centre exactly on the far edge (x = 1.0) makes upstream index out of range; keep it in the grid
      // (later ultralytics versions clamp the same way) instead of crashing.
      gi = Math.min(Math.max(gi, 0), nx - 1);
      gj = Math.min(Math.max(gj, 0), ny - 1);
      out.b[i] = Math.trunc(e.t[0]);
      out.tcls[i] = Math.trunc(e.t[1]);
      out.a[i] = e.a;
      out.gi[i] = gi;
      out.gj[i] = gj;
      out.tbox.set([tx, ty, e.t[4], e.t[5]], i * 4);
      out.anchors.set([levelAnchors[e.a][0], levelAnchors[e.a][1]], i * 2);
    });
    return out;
  });
}

/**
 * For each entry, whether it is the LAST entry writing its (b, a, gj, gi) cell. Upstream writes the
 * objectness targets with `tobj[b, a, gj, gi] = iou` (index_put_), where the last duplicate wins; a
 * tfjs scatter would sum duplicates instead, so only the last writer of each cell is scattered.
 */
export function lastWriterMask(lt: LevelTargets, na: number): Uint8Array {
  const mask = new Uint8Array(lt.n);
  const seen = new Set<number>();
  for (let i = lt.n - 1; i >= 0; i--) {
    const cell = ((lt.b[i] * na + lt.a[i]) * lt.ny + lt.gj[i]) * lt.nx + lt.gi[i];
    if (!seen.has(cell)) {
      seen.add(cell);
      mask[i] = 1;
    }
  }
  return mask;
}
