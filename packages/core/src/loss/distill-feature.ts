/**
 * S2, feature distillation (upstream `compute_distillation_feature_loss`):
 * `bs · dist · weight · Σ_k mean((s_f[k] − t_f[k])²)` with upstream's weight 1/20 per level.
 * `s_f` are the converted student features, `t_f` the (ReLU6'd, for S2.1) teacher features.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Upstream divides `dist` by 20 for every feature level. */
export const UPSTREAM_FEATURE_WEIGHT = 1 / 20;

export function distillationFeatureLoss(
  studentFeatures: readonly tf.Tensor[],
  teacherFeatures: readonly tf.Tensor[],
  dist = 1,
  weight = UPSTREAM_FEATURE_WEIGHT,
): tf.Scalar {
  if (studentFeatures.length !== teacherFeatures.length || studentFeatures.length === 0) {
    throw new Error(
      `feature distillation: ${studentFeatures.length} student vs ${teacherFeatures.length} teacher feature maps`,
    );
  }
  studentFeatures.forEach((s, k) => {
    const t = teacherFeatures[k];
    if (s.shape.join(',') !== t.shape.join(',')) {
      throw new Error(
        `feature distillation: converted student feature ${k} is [${s.shape.join(', ')}] but the teacher's is [${t.shape.join(', ')}]`,
      );
    }
  });
  const bs = studentFeatures[0].shape[0];
  return tf.tidy(() => {
    const sum = tf.addN(studentFeatures.map((s, k) => tf.mean(tf.squaredDifference(s, teacherFeatures[k]))));
    return tf.mul(sum, bs * dist * weight) as tf.Scalar;
  });
}
