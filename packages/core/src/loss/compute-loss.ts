/**
 * Upstream `utils/utils.py compute_loss`: box (CIoU), objectness (BCE against the clamped IoU, last
 * duplicate cell wins) and class (BCE) losses, with the hyp gains, the total times the batch size.
 * Differentiable through tfjs (`tf.variableGrads` of `total`), with gradients only where upstream lets
 * them flow (CIoU alpha and the objectness target are detached).
 */
import * as tf from '@tensorflow/tfjs-core';
import { bceWithLogitsMean } from './bce.ts';
import { buildTargets, type LevelTargets } from './build-targets.ts';
import { bboxCiou, bboxIou, type BoxColumns } from './ciou.ts';
import type { LossHyp, LossModelMeta } from './hyp.ts';
import { stopGradient } from './stop-gradient.ts';

export interface DetectionLoss {
  /** `(lbox + lobj + lcls)·bs`: what upstream back-propagates. */
  total: tf.Scalar;
  /** Components after their gains, NOT multiplied by bs (upstream `loss_items`). */
  lbox: tf.Scalar;
  lobj: tf.Scalar;
  lcls: tf.Scalar;
}

/** Checks the raw outputs against the model metadata; returns the `[ny, nx]` grid of each level. */
export function outputGrids(raw: readonly tf.Tensor[], meta: LossModelMeta): Array<[number, number]> {
  if (raw.length !== meta.anchors.length) {
    throw new Error(
      `loss: ${raw.length} output levels but the model has ${meta.anchors.length} anchor levels`,
    );
  }
  return raw.map((p, i) => {
    const [bs, na, ny, nx, no] = p.shape;
    if (p.rank !== 5 || na !== meta.anchors[i].length || no !== meta.nc + 5) {
      throw new Error(
        `loss: output level ${i} has shape [${p.shape.join(', ')}], expected [bs, ${meta.anchors[i].length}, ny, nx, ${meta.nc + 5}]`,
      );
    }
    if (bs !== raw[0].shape[0])
      throw new Error(`loss: output level ${i} has batch ${bs}, level 0 has ${raw[0].shape[0]}`);
    return [ny, nx];
  });
}

/** Rejects targets upstream would mis-index: image outside the batch, class outside [0, nc). */
export function validateTargets(targets: ArrayLike<number>, bs: number, nc: number): void {
  if (targets.length % 6 !== 0)
    throw new Error(`targets: expected rows of 6 values, got ${targets.length} values`);
  for (let i = 0; i < targets.length / 6; i++) {
    const row = Array.from({ length: 6 }, (_, k) => targets[i * 6 + k]);
    const [img, cls, x, y, w, h] = row;
    if (!row.every(Number.isFinite))
      throw new Error(`targets row ${i}: non-finite value [${row.join(', ')}]`);
    if (!Number.isInteger(img) || img < 0 || img >= bs)
      throw new Error(`targets row ${i}: image index ${img} outside the batch of ${bs}`);
    if (!Number.isInteger(cls) || cls < 0 || cls >= nc)
      throw new Error(`targets row ${i}: class ${cls} outside [0, ${nc})`);
    if (x < 0 || x > 1 || y < 0 || y > 1 || !(w > 0) || !(h > 0)) {
      throw new Error(
        `targets row ${i}: box (${x}, ${y}, ${w}, ${h}) is not a normalised xywh box with positive size`,
      );
    }
  }
}

function column(m: tf.Tensor2D, k: number): tf.Tensor1D {
  return tf.squeeze(tf.slice(m, [0, k], [-1, 1]), [1]) as tf.Tensor1D;
}

function levelLoss(pi: tf.Tensor5D, lt: LevelTargets, meta: LossModelMeta, hyp: LossHyp) {
  const [bs, na, ny, nx, no] = pi.shape;
  const gr = meta.gr ?? 1.0;
  const objLogits = tf.squeeze(tf.slice(pi, [0, 0, 0, 0, 4], [bs, na, ny, nx, 1]), [4]);
  if (lt.n === 0) {
    const zero = tf.scalar(0);
    return {
      lbox: zero,
      lcls: zero,
      lobj: bceWithLogitsMean(objLogits, tf.zerosLike(objLogits), hyp.obj_pw, hyp.fl_gamma),
    };
  }
  // tfjs has no gradient for gatherND/scatterND: address cells through a flat [cells, no] view and
  // gather (GatherV2 has one).
  const cells = cellIndices(lt, na);
  const cellIdx = tf.tensor1d(cells, 'int32');
  const ps = tf.gather(tf.reshape(pi, [bs * na * ny * nx, no]), cellIdx) as tf.Tensor2D; // [n, no]

  const sig = tf.sigmoid(tf.slice(ps, [0, 0], [-1, 4])) as tf.Tensor2D;
  const anchors = tf.tensor2d(lt.anchors, [lt.n, 2]);
  const pxy = tf.sub(tf.mul(tf.slice(sig, [0, 0], [-1, 2]), 2), 0.5) as tf.Tensor2D;
  const pwh = tf.mul(tf.square(tf.mul(tf.slice(sig, [0, 2], [-1, 2]), 2)), anchors) as tf.Tensor2D;
  const tbox = tf.tensor2d(lt.tbox, [lt.n, 4]);
  const pred: BoxColumns = { x: column(pxy, 0), y: column(pxy, 1), w: column(pwh, 0), h: column(pwh, 1) };
  const target: BoxColumns = {
    x: column(tbox, 0),
    y: column(tbox, 1),
    w: column(tbox, 2),
    h: column(tbox, 3),
  };

  let lbox: tf.Scalar;
  let iou: tf.Tensor1D;
  if (hyp.l1) {
    iou = bboxIou(pred, target);
    lbox = smoothL1Mean(tf.concat([pxy, pwh], 1), tbox);
  } else {
    iou = bboxCiou(pred, target);
    lbox = tf.mean(tf.sub(1, iou)) as tf.Scalar;
  }

  // Objectness target: detached, clamped IoU. Each cell takes the value of its LAST entry (upstream
  // index_put_), every other cell 0: a gather from [values..., 0] by a per-cell writer table.
  const objValue = tf.add(1 - gr, tf.mul(gr, tf.relu(stopGradient(iou))));
  const writer = new Int32Array(bs * na * ny * nx).fill(lt.n);
  for (let i = 0; i < lt.n; i++) writer[cells[i]] = i;
  const tobj = tf.reshape(tf.gather(tf.concat([objValue, tf.zeros([1])]), tf.tensor1d(writer, 'int32')), [
    bs,
    na,
    ny,
    nx,
  ]);
  const lobj = bceWithLogitsMean(objLogits, tobj, hyp.obj_pw, hyp.fl_gamma);

  let lcls: tf.Scalar = tf.scalar(0);
  if (meta.nc > 1) {
    const clsLogits = tf.slice(ps, [0, 5], [-1, no - 5]);
    // Built in JS: the class indices are known here, and tfjs-backend-wasm's OneHot ignores the float dtype.
    const hot = new Float32Array(lt.n * meta.nc);
    lt.tcls.forEach((c, i) => (hot[i * meta.nc + c] = 1));
    const onehot = tf.tensor2d(hot, [lt.n, meta.nc]);
    lcls = bceWithLogitsMean(clsLogits, onehot, hyp.cls_pw, hyp.fl_gamma);
  }
  return { lbox, lobj, lcls };
}

/** Flat cell index `((b·na + a)·ny + gj)·nx + gi` of each entry. */
function cellIndices(lt: LevelTargets, na: number): Int32Array {
  const cells = new Int32Array(lt.n);
  for (let i = 0; i < lt.n; i++) cells[i] = ((lt.b[i] * na + lt.a[i]) * lt.ny + lt.gj[i]) * lt.nx + lt.gi[i];
  return cells;
}

/** PyTorch SmoothL1Loss (beta 1, mean) for upstream's `l1` option. */
function smoothL1Mean(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  const d = tf.abs(tf.sub(a, b));
  return tf.mean(tf.where(tf.less(d, 1), tf.mul(0.5, tf.square(d)), tf.sub(d, 0.5))) as tf.Scalar;
}

/**
 * @param raw per level `[bs, na, ny, nx, nc + 5]` raw logits (P3, P4, P5)
 * @param targets rows `(image, class, x, y, w, h)` normalised to the input (a Batch's `targets`)
 * @param meta nc, anchors in grid units, gr
 * @param hyp the effective hyp (cls already ×nc/80; see `effectiveLossHyp`)
 */
export function computeLoss(
  raw: readonly tf.Tensor5D[],
  targets: ArrayLike<number>,
  meta: LossModelMeta,
  hyp: LossHyp,
): DetectionLoss {
  const grids = outputGrids(raw, meta);
  const bs = raw[0].shape[0];
  validateTargets(targets, bs, meta.nc);
  const levels = buildTargets(grids, targets, meta, hyp.anchor_t);
  return tf.tidy(() => {
    let lbox: tf.Scalar = tf.scalar(0);
    let lobj: tf.Scalar = tf.scalar(0);
    let lcls: tf.Scalar = tf.scalar(0);
    raw.forEach((pi, i) => {
      const l = levelLoss(pi, levels[i], meta, hyp);
      lbox = tf.add(lbox, l.lbox);
      lobj = tf.add(lobj, l.lobj);
      lcls = tf.add(lcls, l.lcls);
    });
    lbox = tf.mul(lbox, hyp.giou);
    lobj = tf.mul(lobj, hyp.obj);
    lcls = tf.mul(lcls, hyp.cls);
    const total = tf.mul(tf.add(tf.add(lbox, lobj), lcls), bs) as tf.Scalar;
    return { total, lbox, lobj, lcls };
  });
}
