/**
 * Sparse training for network slimming (upstream `compute_pruning_loss`): the L1 norm of the BN gammas
 * of the prunable layers, averaged over layers: `bs · sl · Σ_m ‖γ_m‖₁ / n_modules`.
 *
 * Which BN layers are prunable is upstream's rule in train.py and pruning.py: enumerate
 * `model.modules()` (the root model is index 0, then a depth-first walk of every submodule, activations
 * and containers included) and take every BatchNorm2d whose enumeration index is not 230, 260 or 290.
 * Those indices were meant to skip the detection outputs of one particular model; in yolov5s_voc index
 * 230 is `model.20.bn`, in mobile-yolo5s_voc they are Upsample, Upsample and Detect. We keep the rule
 * as is (the pruning thresholds and the golden numbers depend on it).
 */
import * as tf from '@tensorflow/tfjs-core';

export const UPSTREAM_IGNORED_MODULE_INDICES: readonly number[] = [230, 260, 290];

/**
 * @param modulesInOrder the model's modules in PyTorch `modules()` order, root first (contract 1
 *   `Module.namedModules()` on the whole model)
 * @param isBatchNorm recognises a BatchNorm2d
 */
export function selectPrunableBatchNorms<M>(
  modulesInOrder: ReadonlyArray<readonly [string, M]>,
  isBatchNorm: (m: M) => boolean,
  ignoredIndices: readonly number[] = UPSTREAM_IGNORED_MODULE_INDICES,
): Array<[string, M]> {
  const ignored = new Set(ignoredIndices);
  const out: Array<[string, M]> = [];
  modulesInOrder.forEach(([name, m], i) => {
    if (!ignored.has(i) && isBatchNorm(m)) out.push([name, m]);
  });
  return out;
}

/** `bs · sl · Σ‖γ‖₁ / n` (0 when there is no prunable layer). */
export function sparsityLoss(gammas: readonly tf.Tensor[], sl: number, batchSize: number): tf.Scalar {
  if (gammas.length === 0) return tf.scalar(0);
  return tf.tidy(() => {
    const l1 = tf.addN(gammas.map((g) => tf.sum(tf.abs(g))));
    return tf.mul(l1, (sl * batchSize) / gammas.length) as tf.Scalar;
  });
}
