/**
 * The upstream experiment chains as studies, and a quickstart sized for a 2-core CPU on the built-in
 * generated data set.
 */
import type { StudyInput } from './study.ts';

export const BUILTIN_STUDIES: readonly StudyInput[] = [
  {
    name: 'baseline',
    title: 'Baselines',
    description: 'Every upstream baseline model trained alone on VOC.',
    tables: ['baseline'],
    stages: ['vocl', 'vocs', 'mvoc3', 'mvocl', 'mvocs'].map((preset) => ({ id: preset, preset })),
  },
  {
    name: 'pruning',
    title: 'Sparse training → pruning → fine-tuning',
    description:
      'smvocs, then pruning at threshold 0.01 (fsmvocs) and at ratio 0.5 (fsmvocs05), each fine-tuned 20 epochs.',
    tables: ['pruning'],
    stages: [
      { id: 'baseline', preset: 'mvocs' },
      { id: 'sparse', preset: 'smvocs' },
      { id: 'prune-thres', preset: 'fsmvocs', overrides: { weights: '@stage:sparse' } },
      { id: 'prune-ratio', preset: 'fsmvocs05', overrides: { weights: '@stage:sparse' } },
    ],
  },
  {
    name: 'distill-s1',
    title: 'S1 output distillation (teachers yolo5s and yolo5l)',
    description: 'Teacher → student with the output-based loss, for both teachers.',
    tables: ['s1.1', 's1.2'],
    stages: [
      { id: 'teacher-s', preset: 'vocs' },
      { id: 'teacher-l', preset: 'vocl' },
      { id: 'baseline', preset: 'mvocs' },
      { id: 'student-s', preset: 'dmvocs', overrides: { teacher: '@stage:teacher-s' } },
      { id: 'student-l', preset: 'dmvocs_l', overrides: { teacher: '@stage:teacher-l' } },
    ],
  },
  {
    name: 'distill-s2',
    title: 'S2 feature + output distillation (converters 2.1 and 2.2)',
    description:
      'Teacher yolo5s → student with feature distillation through conv+BN+ReLU6 (S2.1) or a plain conv (S2.2).',
    tables: ['s2.1', 's2.2'],
    stages: [
      { id: 'teacher', preset: 'vocs' },
      { id: 'baseline', preset: 'mvocs' },
      { id: 's2-1', preset: 'dfmvocs', overrides: { teacher: '@stage:teacher', epochs: 50 } },
      { id: 's2-1-100', preset: 'dfmvocs', overrides: { teacher: '@stage:teacher' } },
      { id: 's2-2', preset: 'dfmvocs_conv', overrides: { teacher: '@stage:teacher' } },
    ],
  },
  {
    name: 'teacher-assistant',
    title: 'S3 teacher assistant: T → TA → S',
    description: 'yolo5l teaches yolo5s (the TA, dvocs_l), which teaches mobilev2-yolo5s (dtamvocs).',
    tables: ['s3'],
    stages: [
      { id: 'teacher', preset: 'vocl' },
      { id: 'assistant', preset: 'dvocs_l', overrides: { teacher: '@stage:teacher' } },
      { id: 'student', preset: 'dtamvocs', overrides: { teacher: '@stage:assistant' } },
    ],
  },
  {
    name: 'stem-and-size',
    title: 'Focus vs conv stem, 640 vs 320',
    description:
      'mobilev2-yolo5s with both stems, distilled with both, and the distilled conv-stem model at 320.',
    tables: ['focus-vs-conv', 'input-size'],
    stages: [
      { id: 'teacher', preset: 'vocs' },
      { id: 'conv', preset: 'mvocs' },
      { id: 'focus', preset: 'mvocs', overrides: { model: 'mobile-yolo5s_voc.focus-stem@90259bc' } },
      { id: 'distilled-conv', preset: 'dmvocs', overrides: { teacher: '@stage:teacher' } },
      {
        id: 'distilled-focus',
        preset: 'dmvocs',
        overrides: { teacher: '@stage:teacher', model: 'mobile-yolo5s_voc.focus-stem@90259bc' },
      },
      { id: 'distilled-conv-320', preset: 'dmvocs', overrides: { teacher: '@stage:teacher', img: 320 } },
    ],
  },
  {
    name: 'quickstart',
    title: 'Quickstart: teacher → baseline → distilled student on the demo data',
    description:
      'Small enough for a 2-core CPU: a yolov5s_voc teacher, the mobile student alone and distilled from it, ' +
      'on the built-in generated data set at 256 px. Shows the distillation effect in minutes, not the upstream numbers.',
    tables: [],
    stages: [
      {
        id: 'teacher',
        preset: 'vocs',
        overrides: { data: 'demo', img: 256, batch: 8, epochs: 8, weights: null },
      },
      {
        id: 'baseline',
        preset: 'mvocs',
        overrides: { data: 'demo', img: 256, batch: 8, epochs: 5, weights: null },
      },
      {
        id: 'student',
        preset: 'dmvocs',
        overrides: { data: 'demo', img: 256, batch: 8, epochs: 5, weights: null, teacher: '@stage:teacher' },
      },
    ],
  },
];
