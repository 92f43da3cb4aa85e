// The upstream YOLO loss (compute_loss + build_targets) and the strategy loss terms.
export { buildTargets, lastWriterMask, type LevelTargets } from './build-targets.ts';
export { computeLoss, outputGrids, validateTargets, type DetectionLoss } from './compute-loss.ts';
export { bboxCiou, bboxIou, type BoxColumns } from './ciou.ts';
export { bceWithLogitsElementwise, bceWithLogitsMean } from './bce.ts';
export { effectiveLossHyp, lossMetaFromModel, type LossHyp, type LossModelMeta } from './hyp.ts';
export { stopGradient } from './stop-gradient.ts';
export { checkOutputLayouts, distillationOutputLoss, type DistillationOutputLoss } from './distill-output.ts';
export { distillationFeatureLoss, UPSTREAM_FEATURE_WEIGHT } from './distill-feature.ts';
export { selectPrunableBatchNorms, sparsityLoss, UPSTREAM_IGNORED_MODULE_INDICES } from './sparsity.ts';
