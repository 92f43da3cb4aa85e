/** PyTorch's BCEWithLogitsLoss (mean reduction, pos_weight) and upstream's FocalLoss wrapper. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Element-wise `−[pw·y·log σ(x) + (1 − y)·log(1 − σ(x))]`, in PyTorch's stable form
 * `(1 − y)·x + (1 + (pw − 1)·y)·(log(1 + e^{−|x|}) + max(−x, 0))`.
 */
export function bceWithLogitsElementwise(logits: tf.Tensor, target: tf.Tensor, posWeight = 1): tf.Tensor {
  return tf.tidy(() => {
    const softplusNeg = tf.add(tf.log1p(tf.exp(tf.neg(tf.abs(logits)))), tf.relu(tf.neg(logits)));
    const weight = posWeight === 1 ? tf.onesLike(target) : tf.add(1, tf.mul(posWeight - 1, target));
    return tf.add(tf.mul(tf.sub(1, target), logits), tf.mul(weight, softplusNeg));
  });
}

/**
 * Mean BCE; with `focalGamma > 0` upstream's FocalLoss(gamma, alpha = 0.25):
 * `loss · (y·α + (1 − y)·(1 − α)) · (1 − p_t)^γ`.
 */
export function bceWithLogitsMean(
  logits: tf.Tensor,
  target: tf.Tensor,
  posWeight = 1,
  focalGamma = 0,
): tf.Scalar {
  return tf.tidy(() => {
    let loss = bceWithLogitsElementwise(logits, target, posWeight);
    if (focalGamma > 0) {
      const alpha = 0.25;
      const p = tf.sigmoid(logits);
      const pt = tf.add(tf.mul(target, p), tf.mul(tf.sub(1, target), tf.sub(1, p)));
      const alphaFactor = tf.add(tf.mul(target, alpha), tf.mul(tf.sub(1, target), 1 - alpha));
      loss = tf.mul(loss, tf.mul(alphaFactor, tf.pow(tf.sub(1, pt), focalGamma)));
    }
    return tf.mean(loss);
  });
}
