/**
 * The result tables of the upstream README (Syencil/mobile-yolov5-pruning-distillation, commit 5d52454),
 * as data. Public numbers; the preset tags let the trainer and the dashboard put a reproduced run next
 * to each row.
 */
import type { ReferenceRow, ReferenceSource, ReferenceTable } from './types.ts';

export const UPSTREAM_SOURCE: ReferenceSource = {
  repository: 'Syencil/mobile-yolov5-pruning-distillation',
  commit: '5d52454',
  file: 'README.md',
  url: 'https://github.com/Syencil/mobile-yolov5-pruning-distillation',
  setup:
    'Pascal VOC: train VOC07+12 trainval, test VOC07 test; batch 24, 50 epochs, train/test size 640, ' +
    'conf_thres 0.001, iou_thres 0.6; mAP = test.py mAP@0.5, P and R read at confidence 0.1; ' +
    'FLOPs (G) are thop MACs.',
};

const FOCUS_MODEL = 'model=mobile-yolo5s_voc.focus-stem@90259bc';

const T_YOLO5S: ReferenceRow = {
  label: 'T-yolo5s',
  preset: 'vocs',
  role: 'teacher',
  metrics: { precision: 0.536, recall: 0.863, map50: 0.809 },
};
const T_YOLO5L: ReferenceRow = {
  label: 'T-yolo5l',
  preset: 'vocl',
  role: 'teacher',
  metrics: { precision: 0.659, recall: 0.881, map50: 0.862 },
};
/** The main tables' mobile rows were measured with the Focus stem (commit 90259bc; HEAD has a conv stem). */
const BASELINE: ReferenceRow = {
  label: 'mobilev2-yolo5s',
  preset: 'mvocs',
  overrides: [FOCUS_MODEL],
  role: 'baseline',
  metrics: { precision: 0.457, recall: 0.809, map50: 0.719 },
};

export const UPSTREAM_TABLES: readonly ReferenceTable[] = [
  {
    id: 'baseline',
    title: 'Baseline',
    columns: ['precision', 'recall', 'map50', 'paramsM', 'gmacs'],
    rows: [
      {
        label: 'yolo5l',
        preset: 'vocl',
        role: 'model',
        metrics: { precision: 0.659, recall: 0.881, map50: 0.862, paramsM: 49.9, gmacs: 57.52 },
      },
      {
        label: 'yolo5s',
        preset: 'vocs',
        role: 'model',
        metrics: { precision: 0.536, recall: 0.863, map50: 0.809, paramsM: 7.07, gmacs: 8.39 },
        note: 'fine-tuned from COCO weights (a teacher, not a fair baseline); Params/FLOPs are those of the COCO yolov5s',
      },
      {
        label: 'mobilev2-yolo3',
        preset: 'mvoc3',
        overrides: ['model=mobile-yolo3_voc.focus-stem@90259bc'],
        role: 'model',
        metrics: { precision: 0.458, recall: 0.838, map50: 0.755, paramsM: 22.03, gmacs: 19.58 },
      },
      {
        label: 'mobilev2-yolo5l',
        preset: 'mvocl',
        role: 'model',
        metrics: { precision: 0.496, recall: 0.807, map50: 0.741, paramsM: 15.36, gmacs: 16.65 },
      },
      {
        label: 'mobilev2-yolo5s',
        preset: 'mvocs',
        overrides: [FOCUS_MODEL],
        role: 'model',
        metrics: { precision: 0.457, recall: 0.809, map50: 0.719, paramsM: 3.6, gmacs: 4.67 },
      },
    ],
    note: 'The mobile rows were measured with the Focus stem (commit 90259bc); the stem comparison is its own table.',
  },
  {
    id: 'pruning',
    title: 'Pruning (mobilev2-yolo5s)',
    columns: ['precision', 'recall', 'map50', 'paramsM', 'gmacs'],
    extraColumns: ['extra epochs', 'sl', 'prune'],
    rows: [
      {
        ...BASELINE,
        metrics: { ...BASELINE.metrics, paramsM: 3.6, gmacs: 4.67 },
        extra: { 'extra epochs': '-', sl: '-', prune: '-' },
      },
      {
        label: 'mobilev2-yolo5s, sparse training',
        preset: 'smvocs',
        overrides: [FOCUS_MODEL],
        role: 'sparse',
        metrics: { precision: 0.407, recall: 0.793, map50: 0.687, paramsM: 3.6, gmacs: 4.67 },
        extra: { 'extra epochs': '-', sl: '6e-4', prune: '-' },
      },
      {
        label: 'pruning 1',
        preset: 'fsmvocs',
        overrides: [FOCUS_MODEL, 'epochs=10'],
        role: 'pruned',
        metrics: { precision: 0.427, recall: 0.695, map50: 0.604, paramsM: 2.69, gmacs: 3.79 },
        extra: { 'extra epochs': 10, sl: '6e-4', prune: 'threshold 0.01' },
      },
      {
        label: 'pruning 2',
        preset: 'fsmvocs',
        overrides: [FOCUS_MODEL],
        role: 'pruned',
        metrics: { precision: 0.384, recall: 0.821, map50: 0.699, paramsM: 2.69, gmacs: 3.79 },
        extra: { 'extra epochs': 20, sl: '6e-4', prune: 'threshold 0.01' },
      },
      {
        label: 'pruning 3',
        preset: 'fsmvocs05',
        overrides: [FOCUS_MODEL],
        role: 'pruned',
        metrics: { precision: 0.337, recall: 0.704, map50: 0.555, paramsM: 1.87, gmacs: 3.04 },
        extra: { 'extra epochs': 20, sl: '6e-4', prune: 'ratio 0.5' },
      },
    ],
  },
  {
    id: 's1.1',
    title: 'Distillation S1.1: output-based, teacher yolo5s (dist = 1)',
    columns: ['precision', 'recall', 'map50'],
    rows: [
      T_YOLO5S,
      BASELINE,
      {
        label: 'S-mobilev2-yolo5s',
        preset: 'dmvocs',
        overrides: [FOCUS_MODEL],
        role: 'student',
        metrics: { precision: 0.296, recall: 0.876, map50: 0.746 },
      },
    ],
  },
  {
    id: 's1.2',
    title: 'Distillation S1.2: output-based, teacher yolo5l (dist = 1)',
    columns: ['precision', 'recall', 'map50'],
    rows: [
      T_YOLO5L,
      BASELINE,
      {
        label: 'S-mobilev2-yolo5s',
        preset: 'dmvocs_l',
        overrides: [FOCUS_MODEL],
        role: 'student',
        metrics: { precision: 0.233, recall: 0.879, map50: 0.724 },
      },
    ],
  },
  {
    id: 's2.1',
    title: 'Distillation S2.1: features + outputs, converter conv+BN+ReLU6 (ReLU6 on the teacher)',
    columns: ['precision', 'recall', 'map50'],
    rows: [
      T_YOLO5S,
      BASELINE,
      {
        label: 'S-mobilev2-yolo5s',
        preset: 'dfmvocs',
        overrides: [FOCUS_MODEL, 'epochs=50'],
        role: 'student',
        metrics: { precision: 0.256, recall: 0.828, map50: 0.663 },
      },
      {
        label: 'S-mobilev2-yolo5s (100 epochs)',
        preset: 'dfmvocs',
        overrides: [FOCUS_MODEL],
        role: 'student',
        metrics: { precision: 0.375, recall: 0.842, map50: 0.741 },
      },
    ],
    note: 'Output weight 1.0, feature weight 0.5; a feature weight of 0.1667 gave 0.68 mAP, 0.05 about the baseline.',
  },
  {
    id: 's2.2',
    title: 'Distillation S2.2: features + outputs, converter a plain conv',
    columns: ['precision', 'recall', 'map50'],
    rows: [
      T_YOLO5S,
      BASELINE,
      {
        label: 'S-mobilev2-yolo5s',
        preset: 'dfmvocs_conv',
        overrides: [FOCUS_MODEL],
        role: 'student',
        metrics: { precision: 0.326, recall: 0.87, map50: 0.746 },
      },
    ],
  },
  {
    id: 's3',
    title: 'Distillation S3: teacher assistant (T yolo5l → TA yolo5s)',
    columns: ['precision', 'recall', 'map50'],
    rows: [
      T_YOLO5L,
      {
        label: 'TA-yolo5s',
        preset: 'dvocs_l',
        role: 'assistant',
        metrics: { precision: 0.322, recall: 0.901, map50: 0.799 },
      },
    ],
    note: 'The second step (TA → mobilev2-yolo5s, preset dtamvocs) was not run upstream because the TA did not improve.',
  },
  {
    id: 'focus-vs-conv',
    title: 'Focus stem vs stride-2 conv stem',
    columns: ['precision', 'recall', 'map50', 'paramsM', 'gmacs'],
    rows: [
      {
        label: 'mobilev2-yolo3 (conv)',
        preset: 'mvoc3',
        role: 'model',
        metrics: { precision: 0.462, recall: 0.838, map50: 0.756, paramsM: 22.03, gmacs: 19.32 },
      },
      {
        label: 'mobilev2-yolo3 (focus)',
        preset: 'mvoc3',
        overrides: ['model=mobile-yolo3_voc.focus-stem@90259bc'],
        role: 'model',
        metrics: { precision: 0.458, recall: 0.838, map50: 0.755, paramsM: 22.03, gmacs: 19.58 },
      },
      {
        label: 'mobilev2-yolo5s (conv)',
        preset: 'mvocs',
        role: 'model',
        metrics: { precision: 0.423, recall: 0.819, map50: 0.718, paramsM: 3.6, gmacs: 4.4 },
      },
      {
        label: 'mobilev2-yolo5s (focus)',
        preset: 'mvocs',
        overrides: [FOCUS_MODEL],
        role: 'model',
        metrics: { precision: 0.457, recall: 0.809, map50: 0.719, paramsM: 3.6, gmacs: 4.67 },
      },
      {
        label: 'S-mobilev2-yolo5s (conv)',
        preset: 'dmvocs',
        role: 'student',
        metrics: { precision: 0.333, recall: 0.866, map50: 0.744, paramsM: 3.6, gmacs: 4.4 },
      },
      {
        label: 'S-mobilev2-yolo5s (focus)',
        preset: 'dmvocs',
        overrides: [FOCUS_MODEL],
        role: 'student',
        metrics: { precision: 0.296, recall: 0.876, map50: 0.746, paramsM: 3.6, gmacs: 4.67 },
      },
    ],
  },
  {
    id: 'input-size',
    title: 'Input size (distilled mobilev2-yolo5s, conv stem)',
    columns: ['precision', 'recall', 'map50', 'paramsM', 'gmacs'],
    rows: [
      {
        label: '640x640',
        preset: 'dmvocs',
        role: 'student',
        metrics: { precision: 0.333, recall: 0.866, map50: 0.744, paramsM: 3.6, gmacs: 4.4 },
      },
      {
        label: '320x320',
        preset: 'dmvocs',
        overrides: ['img=320'],
        role: 'student',
        metrics: { precision: 0.334, recall: 0.811, map50: 0.717, paramsM: 3.6, gmacs: 1.1 },
      },
    ],
  },
  {
    id: 'other-mobile-yolos',
    title: 'Other mobile YOLOs (as the upstream README compares them)',
    columns: ['cocoMap', 'map50'],
    extraColumns: ['resolution'],
    rows: [
      {
        label: 'upstream mobilev2-yolo5s',
        preset: 'dmvocs',
        overrides: ['img=320'],
        metrics: { cocoMap: 23.2, map50: 0.717 },
        extra: { resolution: 320 },
      },
      {
        label: 'upstream mobilev2-yolo5s',
        preset: 'dmvocs',
        metrics: { cocoMap: 27.5, map50: 0.744 },
        extra: { resolution: 640 },
      },
      { label: 'MobileNet-YOLO (caffe)', metrics: { map50: 0.715 }, extra: { resolution: 352 } },
      {
        label: 'PaddleDetection MobileNetV1-YOLOv3',
        metrics: { cocoMap: 29.3, map50: 0.762 },
        extra: { resolution: 608 },
      },
      { label: 'MobileNet-YOLO (darknet)', metrics: { map50: 0.707 }, extra: { resolution: 352 } },
      { label: 'keras-YOLOv3-mobilenet', metrics: { map50: 0.7456 }, extra: { resolution: 320 } },
      { label: 'mobilenetv2-yolov3 (tensorflow)', metrics: { map50: 0.669 }, extra: { resolution: 416 } },
    ],
    note: 'VOC mAP converted from percent to a fraction like the other tables; COCO mAP left in percent as printed.',
  },
];
