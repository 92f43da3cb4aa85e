/**
 * The loss hyper-parameters, i.e. upstream `model.hyp` as compute_loss reads it.
 * `cls` here is the EFFECTIVE gain: train.py scales the configured 0.58 by nc/80 before training
 * (`hyp['cls'] *= nc / 80.`), so a run config's hyp goes through `effectiveLossHyp` once.
 */
import type { Hyp } from '../config/run-config.ts';

export interface LossHyp {
  /** Box loss gain (named `giou` upstream although the box loss is CIoU). */
  giou: number;
  obj: number;
  /** Class loss gain, already scaled by nc/80. */
  cls: number;
  cls_pw: number;
  obj_pw: number;
  anchor_t: number;
  fl_gamma: number;
  /** Upstream's `l1` switch: SmoothL1 on the boxes instead of CIoU (objectness then uses plain IoU). */
  l1?: boolean;
  /** Sparsity strength of the BN-gamma L1 term (upstream `sl`). */
  sl?: number;
  /** Distillation weight (upstream `dist`). */
  dist?: number;
}

/** train.py's scaling of the COCO-tuned class gain to `nc` classes. */
export function effectiveLossHyp(hyp: Hyp, nc: number): LossHyp {
  return {
    giou: hyp.giou,
    obj: hyp.obj,
    cls: hyp.cls * (nc / 80),
    cls_pw: hyp.cls_pw,
    obj_pw: hyp.obj_pw,
    anchor_t: hyp.anchor_t,
    fl_gamma: hyp.fl_gamma,
    sl: hyp.sl,
    dist: hyp.dist,
  };
}

/** What the loss needs to know about the detector (upstream `model.nc`, `Detect.anchors`, `model.gr`). */
export interface LossModelMeta {
  nc: number;
  /** Per level, per anchor `[w, h]` in GRID units (pixels / stride), as upstream `Detect.anchors`. */
  anchors: ReadonlyArray<ReadonlyArray<readonly [number, number] | readonly number[]>>;
  /** Objectness target mix: `tobj = (1 - gr) + gr * iou` (upstream sets 1.0). */
  gr?: number;
}

/** Contract-1 model metadata carries anchors in pixels; the loss works in grid units. */
export function lossMetaFromModel(model: {
  nc: number;
  strides: readonly number[];
  anchors: ReadonlyArray<ReadonlyArray<readonly number[]>>;
}): LossModelMeta {
  if (model.anchors.length !== model.strides.length) {
    throw new Error(`model has ${model.anchors.length} anchor levels but ${model.strides.length} strides`);
  }
  return {
    nc: model.nc,
    anchors: model.anchors.map((level, i) =>
      level.map(
        (wh) => [Math.fround(wh[0] / model.strides[i]), Math.fround(wh[1] / model.strides[i])] as const,
      ),
    ),
    gr: 1.0,
  };
}
