// @distillery/eval: detection metrics and NMS, pure TypeScript (browser-safe). File readers: ./node.ts.
export { EvalInputError } from './errors.ts';
export { pairwiseSum, npMean, linspace, interp, trapz, argsortDescending } from './numeric/numpy.ts';

export { convertBox, convertBoxes, cxcywhToXyxyF32, type Box, type BoxFormat } from './boxes/convert.ts';
export { bboxIou, boxIouAt, boxIouMatrix, type IouKind } from './boxes/iou.ts';
export { nonMaxSuppression, nonMaxSuppressionBatch, type NmsOptions } from './nms/non-max-suppression.ts';
export { nmsIndices } from './nms/torchvision-nms.ts';
export { letterboxGeometry, scaleCoords, clipCoords, pyRound, type LetterboxGeometry, type LetterboxOptions } from './letterbox/letterbox.ts';

export type { EvalImage, EvalCategory, BoxArrays, GroundTruth, Detections } from './dataset/types.ts';
export { imageIndex, allocBoxes, selectDetections } from './dataset/types.ts';
export { buildGroundTruth, DetectionsBuilder, type GtBox } from './dataset/builder.ts';

export { matchImage, TEST_PY_IOU_THRESHOLDS } from './yolov5/match.ts';
export { apPerClass, computeApTestPy, type ApPerClassResult } from './yolov5/ap-per-class.ts';
export {
  TestPyAccumulator,
  concatTestPyStats,
  testPyMetrics,
  formatTestPyLine,
  formatG3,
  type TestPyStats,
  type TestPyMetrics,
  type TestPyClassMetrics,
} from './yolov5/test-py-metrics.ts';
export { testPyStatsForImages, partitionImages } from './yolov5/from-detections.ts';

export { defaultCocoParams, type CocoParams } from './coco/params.ts';
export { evaluateCocoCategory, type CocoCategoryResult } from './coco/evaluate-category.ts';
export { groupCoco, type CocoGrouping } from './coco/grouping.ts';
export { cocoEval, evaluateCocoCategories, finishCocoEval, partitionCategories, type CocoResult } from './coco/coco-eval.ts';
export { cocoStats, cocoPerCategory, formatCocoSummary, mergeCocoCategories, summarizeOne, COCO_STAT_NAMES, type CocoEvalArrays, type CocoCategoryAp } from './coco/summarize.ts';

export { vocEval, vocEvalClass, vocEvalClasses, finishVocEval, type VocOptions, type VocResult, type VocClassResult } from './voc/voc-eval.ts';
export { vocAp11, vocApAllPoint, VOC07_THRESHOLDS } from './voc/voc-ap.ts';

export { parseCocoGroundTruth, cocoGroundTruthFromObject } from './readers/coco-json.ts';
export { parseDetections, detectionsFromObject, type DetectionFormat } from './readers/detections-json.ts';
export { parseVocXml, vocGroundTruth, VOC_CLASSES, type VocAnnotation, type VocObject } from './readers/voc-xml.ts';
export { parseYoloLabels, yoloGroundTruth, COCO80_TO_COCO91, COCO80_NAMES, type YoloImageLabels } from './readers/yolo-txt.ts';
export { imageSizeFromBytes, type ImageSize } from './readers/image-size.ts';
export { parseJsonText } from './readers/json-text.ts';

export { cocoPrCurves, vocPrCurves, type PrCurve } from './curves/pr-curves.ts';
export { confusionMatrix, type ConfusionMatrix } from './curves/confusion-matrix.ts';
export { cocoJson, vocJson, yolov5Json, type CocoJson, type VocJson, type YoloV5Json } from './report/json.ts';
