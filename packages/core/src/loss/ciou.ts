/**
 * Upstream `bbox_iou(box1, box2, x1y1x2y2=False, CIoU=True)` for n box pairs given as xywh columns.
 * The upstream names say GIoU but the fork computes CIoU; `alpha` is computed under `no_grad`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient.ts';

export interface BoxColumns {
  x: tf.Tensor1D;
  y: tf.Tensor1D;
  w: tf.Tensor1D;
  h: tf.Tensor1D;
}

function corners(b: BoxColumns) {
  const hw = tf.div(b.w, 2);
  const hh = tf.div(b.h, 2);
  return { x1: tf.sub(b.x, hw), x2: tf.add(b.x, hw), y1: tf.sub(b.y, hh), y2: tf.add(b.y, hh) };
}

/** Plain IoU (and the pieces CIoU reuses), exactly in upstream's operation order. */
function iouParts(box1: BoxColumns, box2: BoxColumns) {
  const b1 = corners(box1);
  const b2 = corners(box2);
  const inter = tf.mul(
    tf.relu(tf.sub(tf.minimum(b1.x2, b2.x2), tf.maximum(b1.x1, b2.x1))),
    tf.relu(tf.sub(tf.minimum(b1.y2, b2.y2), tf.maximum(b1.y1, b2.y1))),
  );
  const w1 = tf.sub(b1.x2, b1.x1);
  const h1 = tf.sub(b1.y2, b1.y1);
  const w2 = tf.sub(b2.x2, b2.x1);
  const h2 = tf.sub(b2.y2, b2.y1);
  const union = tf.sub(tf.add(tf.add(tf.mul(w1, h1), 1e-16), tf.mul(w2, h2)), inter);
  return { b1, b2, w1, h1, w2, h2, iou: tf.div(inter, union) };
}

export function bboxIou(box1: BoxColumns, box2: BoxColumns): tf.Tensor1D {
  return tf.tidy(() => iouParts(box1, box2).iou as tf.Tensor1D);
}

export function bboxCiou(box1: BoxColumns, box2: BoxColumns): tf.Tensor1D {
  return tf.tidy(() => {
    const { b1, b2, w1, h1, w2, h2, iou } = iouParts(box1, box2);
    const cw = tf.sub(tf.maximum(b1.x2, b2.x2), tf.minimum(b1.x1, b2.x1));
    const ch = tf.sub(tf.maximum(b1.y2, b2.y2), tf.minimum(b1.y1, b2.y1));
    const c2 = tf.add(tf.add(tf.square(cw), tf.square(ch)), 1e-16);
    const rho2 = tf.add(
      tf.div(tf.square(tf.sub(tf.add(b2.x1, b2.x2), tf.add(b1.x1, b1.x2))), 4),
      tf.div(tf.square(tf.sub(tf.add(b2.y1, b2.y2), tf.add(b1.y1, b1.y2))), 4),
    );
    const v = tf.mul(4 / Math.PI ** 2, tf.square(tf.sub(tf.atan(tf.div(w2, h2)), tf.atan(tf.div(w1, h1)))));
    const alpha = stopGradient(tf.div(v, tf.add(tf.sub(1, iou), v)));
    return tf.sub(iou, tf.add(tf.div(rho2, c2), tf.mul(v, alpha))) as tf.Tensor1D;
  });
}
