/**
 * The upstream experiments (`train.py --type ...`, commit 5d52454 of Syencil/mobile-yolov5-pruning-distillation)
 * as run-config presets. Common to all: Pascal VOC (07+12 trainval / 07 test), image 640 for training and
 * testing, batch 24 (nominal 64), SGD, no multi-scale, the train.py hyp dict.
 *
 * References that only an app can resolve are written as strings:
 * - `@preset:<name>`: "a finished run of that preset" (a study replaces it by `@stage:<id>`);
 * - `pretrained:<what>`: the public weights upstream started from (COCO YOLOv5, ImageNet MobileNetV2);
 *   where none is available the run starts from scratch.
 */
import type { RunConfigInput } from '../config/run-config.ts';

export interface Preset {
  name: string;
  /** The `train.py --type` value, or undefined for presets added here (e.g. S2.2). */
  upstreamType?: string;
  title: string;
  description: string;
  /** A partial run config; everything else takes the schema defaults (= train.py's). */
  config: RunConfigInput;
}

const VOC = 'voc';
const COMMON = { data: VOC, img: 640, batch: 24, nominalBatch: 64, epochs: 50 } satisfies RunConfigInput;
/** train.py: the ImageNet MobileNetV2 (`mobilenet_v2-b0353104.pth`, `features.*` renamed to `model.*`). */
const IMAGENET_MOBILENET = 'pretrained:mobilenet_v2-imagenet';

export const UPSTREAM_PRESETS: readonly Preset[] = [
  {
    name: 'vocs',
    upstreamType: 'vocs',
    title: 'yolo5s',
    description:
      'YOLOv5s on VOC, fine-tuned from the official COCO yolov5s weights (the teacher of S1.1/S2).',
    config: { ...COMMON, model: 'yolov5s_voc', weights: 'pretrained:yolov5s-coco' },
  },
  {
    name: 'vocl',
    upstreamType: 'vocl',
    title: 'yolo5l',
    description: 'YOLOv5l on VOC from the COCO yolov5l weights (teacher of S1.2 and S3).',
    config: { ...COMMON, model: 'yolov5l_voc', weights: 'pretrained:yolov5l-coco' },
  },
  {
    name: 'vocx',
    upstreamType: 'vocx',
    title: 'yolo5x',
    description:
      'YOLOv5x on VOC (train.py starts it from the yolov5l weights; only the matching tensors load).',
    config: { ...COMMON, model: 'yolov5x_voc', weights: 'pretrained:yolov5l-coco' },
  },
  {
    name: 'mvocs',
    upstreamType: 'mvocs',
    title: 'mobilev2-yolo5s',
    description: 'MobileNetV2-backbone YOLOv5s (the student), backbone from ImageNet.',
    config: { ...COMMON, model: 'mobile-yolo5s_voc', weights: IMAGENET_MOBILENET },
  },
  {
    name: 'mvocl',
    upstreamType: 'mvocl',
    title: 'mobilev2-yolo5l',
    description: 'MobileNetV2-backbone YOLOv5l head.',
    config: { ...COMMON, model: 'mobile-yolo5l_voc', weights: IMAGENET_MOBILENET },
  },
  {
    name: 'mvoc3',
    upstreamType: 'mvoc3',
    title: 'mobilev2-yolo3',
    description: 'MobileNetV2-backbone YOLOv3 head.',
    config: { ...COMMON, model: 'mobile-yolo3_voc', weights: IMAGENET_MOBILENET },
  },
  {
    name: 'smvocs',
    upstreamType: 'smvocs',
    title: 'mobilev2-yolo5s, sparse training',
    description:
      'Sparse training for pruning: L1 on the BN gammas, sl = 6e-4 (×1.125 for batch 24, as train.py).',
    config: {
      ...COMMON,
      model: 'mobile-yolo5s_voc',
      weights: IMAGENET_MOBILENET,
      hyp: { sl: 6e-4 },
      strategies: [{ kind: 'sparsity' }],
    },
  },
  {
    name: 'fsmvocs',
    upstreamType: 'fsmvocs',
    title: 'pruning (threshold 0.01) + fine-tune',
    description: 'Prune the sparse-trained model at |γ| < 0.01, then fine-tune 20 epochs.',
    config: {
      ...COMMON,
      model: 'mobile-yolo5s_voc',
      weights: '@preset:smvocs',
      epochs: 20,
      prune: { mode: 'threshold', threshold: 0.01 },
    },
  },
  {
    name: 'fsmvocs05',
    upstreamType: 'fsmvocs05',
    title: 'pruning (ratio 0.5) + fine-tune',
    description: 'Prune half of the BN channels (global γ ratio 0.5), then fine-tune 20 epochs.',
    config: {
      ...COMMON,
      model: 'mobile-yolo5s_voc',
      weights: '@preset:smvocs',
      epochs: 20,
      prune: { mode: 'ratio', ratio: 0.5 },
    },
  },
  {
    name: 'dmvocs',
    upstreamType: 'dmvocs',
    title: 'S1.1: output distillation, teacher yolo5s',
    description:
      'Student mobilev2-yolo5s distilled from the VOC yolov5s (S1, dist = 1, teacher in train mode).',
    config: {
      ...COMMON,
      model: 'mobile-yolo5s_voc',
      weights: IMAGENET_MOBILENET,
      hyp: { dist: 1 },
      strategies: [{ kind: 'distill-output', teacher: '@preset:vocs', teacherMode: 'train' }],
    },
  },
  {
    name: 'dmvocs_l',
    upstreamType: 'dmvocs_l',
    title: 'S1.2: output distillation, teacher yolo5l',
    description: 'Student mobilev2-yolo5s distilled from the VOC yolov5l (S1, dist = 1).',
    config: {
      ...COMMON,
      model: 'mobile-yolo5s_voc',
      weights: IMAGENET_MOBILENET,
      hyp: { dist: 1 },
      strategies: [{ kind: 'distill-output', teacher: '@preset:vocl', teacherMode: 'train' }],
    },
  },
  {
    name: 'dvocs_l',
    upstreamType: 'dvocs_l',
    title: 'S3 step 1: yolo5s distilled from yolo5l (the teacher assistant)',
    description: 'YOLOv5s from the COCO weights distilled from the VOC yolov5l (S1): the TA of S3.',
    config: {
      ...COMMON,
      model: 'yolov5s_voc',
      weights: 'pretrained:yolov5s-coco',
      hyp: { dist: 1 },
      strategies: [{ kind: 'distill-output', teacher: '@preset:vocl', teacherMode: 'train' }],
    },
  },
  {
    name: 'dfmvocs',
    upstreamType: 'dfmvocs',
    title: 'S2.1: feature + output distillation, converter conv+BN+ReLU6',
    description:
      'S1 plus feature MSE at student layers 6/13/17 vs teacher yolov5s layers 4/6/10 through conv+BN+ReLU6 ' +
      '(ReLU6 on the teacher). train.py runs it 100 epochs; the README reports feature weight 0.5 ' +
      '(the committed code weights features dist/20 = 0.05, which the README says stays near the baseline).',
    config: {
      ...COMMON,
      model: 'mobile-yolo5s_voc',
      weights: IMAGENET_MOBILENET,
      epochs: 100,
      hyp: { dist: 1 },
      strategies: [
        {
          kind: 'distill-feature',
          teacher: '@preset:vocs',
          teacherMode: 'train',
          converter: 'conv-bn-relu6',
          featureWeight: 0.5,
          outputWeight: 1,
          studentLayers: [6, 13, 17],
          teacherLayers: [4, 6, 10],
        },
      ],
    },
  },
  {
    name: 'dfmvocs_conv',
    title: 'S2.2: feature + output distillation, converter a plain conv',
    description:
      'S2.1 with a plain 1×1 conv as converter and raw teacher features (README S2.2; no train.py type).',
    config: {
      ...COMMON,
      model: 'mobile-yolo5s_voc',
      weights: IMAGENET_MOBILENET,
      hyp: { dist: 1 },
      strategies: [
        {
          kind: 'distill-feature',
          teacher: '@preset:vocs',
          teacherMode: 'train',
          converter: 'conv',
          featureWeight: 0.5,
          outputWeight: 1,
          studentLayers: [6, 13, 17],
          teacherLayers: [4, 6, 10],
        },
      ],
    },
  },
  {
    name: 'dfmvocs_l',
    upstreamType: 'dfmvocs_l',
    title: 'S2 with the yolo5l teacher',
    description:
      'S2.1 from the VOC yolov5l (teacher layers 4/6/10 have 256/512/1024 channels; converters sized to fit).',
    config: {
      ...COMMON,
      model: 'mobile-yolo5s_voc',
      weights: IMAGENET_MOBILENET,
      hyp: { dist: 1 },
      strategies: [
        {
          kind: 'distill-feature',
          teacher: '@preset:vocl',
          teacherMode: 'train',
          converter: 'conv-bn-relu6',
          featureWeight: 0.5,
          outputWeight: 1,
          studentLayers: [6, 13, 17],
          teacherLayers: [4, 6, 10],
        },
      ],
    },
  },
  {
    name: 'dtamvocs',
    upstreamType: 'dtamvocs',
    title: 'S3 step 2: student from the teacher assistant',
    description:
      'mobilev2-yolo5s distilled (features + outputs, as train.py) from the TA yolov5s of dvocs_l.',
    config: {
      ...COMMON,
      model: 'mobile-yolo5s_voc',
      weights: IMAGENET_MOBILENET,
      hyp: { dist: 1 },
      strategies: [
        {
          kind: 'distill-feature',
          teacher: '@preset:dvocs_l',
          teacherMode: 'train',
          converter: 'conv-bn-relu6',
          featureWeight: 0.5,
          outputWeight: 1,
          studentLayers: [6, 13, 17],
          teacherLayers: [4, 6, 10],
        },
      ],
    },
  },
];
