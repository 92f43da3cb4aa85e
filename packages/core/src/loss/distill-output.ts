/**
 * S1, output-based distillation (upstream `compute_distillation_output_loss`, after Mehta & Ozturk):
 * per level, squared differences of the RAW logits (box, objectness, classes), each weighted by the
 * teacher's sigmoid objectness, averaged; then the box/obj/cls gains times `dist`, summed, times bs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LossHyp } from './hyp.ts';

export interface DistillationOutputLoss {
  /** `(lbox + lobj + lcls)`: each part is already ×gain×dist×bs, as upstream adds it to the loss. */
  total: tf.Scalar;
  lbox: tf.Scalar;
  lobj: tf.Scalar;
  lcls: tf.Scalar;
}

/** Student and teacher must produce the same per-level layout `[bs, na, ny, nx, nc + 5]`. */
export function checkOutputLayouts(student: readonly tf.Tensor[], teacher: readonly tf.Tensor[]): void {
  if (student.length !== teacher.length) {
    throw new Error(
      `distillation: the student has ${student.length} output levels, the teacher ${teacher.length}`,
    );
  }
  student.forEach((s, i) => {
    const t = teacher[i];
    if (s.shape.join(',') !== t.shape.join(',')) {
      throw new Error(
        `distillation: output level ${i} of the student is [${s.shape.join(', ')}] but the teacher's is [${t.shape.join(', ')}]; ` +
          'teacher and student need the same anchors per level, classes and strides',
      );
    }
  });
}

export function distillationOutputLoss(
  student: readonly tf.Tensor5D[],
  teacher: readonly tf.Tensor5D[],
  nc: number,
  hyp: Pick<LossHyp, 'giou' | 'obj' | 'cls' | 'dist'>,
): DistillationOutputLoss {
  checkOutputLayouts(student, teacher);
  const dist = hyp.dist ?? 1;
  const bs = student[0].shape[0];
  return tf.tidy(() => {
    let lbox: tf.Scalar = tf.scalar(0);
    let lobj: tf.Scalar = tf.scalar(0);
    let lcls: tf.Scalar = tf.scalar(0);
    student.forEach((p, i) => {
      const t = teacher[i];
      const no = p.shape[4];
      const field = (x: tf.Tensor5D, begin: number, size: number) =>
        tf.slice(x, [0, 0, 0, 0, begin], [-1, -1, -1, -1, size]);
      const scale = tf.sigmoid(field(t, 4, 1)); // [bs, na, ny, nx, 1], broadcast over the fields
      lbox = tf.add(lbox, tf.mean(tf.mul(tf.squaredDifference(field(p, 0, 4), field(t, 0, 4)), scale)));
      if (nc > 1)
        lcls = tf.add(
          lcls,
          tf.mean(tf.mul(tf.squaredDifference(field(p, 5, no - 5), field(t, 5, no - 5)), scale)),
        );
      lobj = tf.add(lobj, tf.mean(tf.mul(tf.squaredDifference(field(p, 4, 1), field(t, 4, 1)), scale)));
    });
    lbox = tf.mul(lbox, hyp.giou * dist * bs);
    lobj = tf.mul(lobj, hyp.obj * dist * bs);
    lcls = tf.mul(lcls, hyp.cls * dist * bs);
    return { total: tf.addN([lbox, lobj, lcls]) as tf.Scalar, lbox, lobj, lcls };
  });
}
