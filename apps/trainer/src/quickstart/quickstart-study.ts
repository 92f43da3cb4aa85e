/**
 * The quickstart: a short but real distillation study on the built-in generated data set — a teacher,
 * the student alone (baseline) and the student distilled from the trained teacher (S1, output-based) —
 * sized to finish in minutes on a 2-core CPU. Same presets as the upstream experiments (vocs, mvocs,
 * dmvocs); what changes is recorded as overrides:
 * - data: a small demo set (generated once into `$DISTILLERY_HOME/datasets/quickstart`);
 * - models: the zoo's yolov5s_voc and mobile-yolo5s_voc at reduced width (model YAMLs written next to
 *   the data from the zoo text, only `width_multiple` changed) — the teacher still has ~7× the student's
 *   parameters, as yolov5s has ~2× mobilev2-yolo5s upstream;
 * - small image, few epochs, one optimiser step per batch (nominal batch = batch: with the upstream
 *   nominal 64 a run this short would make only a handful of steps), no mosaic/affine augmentation.
 * The distilled student uses the teacher stage's own checkpoint (`@stage:teacher`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StudyInput } from '@distillery/core';
import { ensureDemoDataset } from '@distillery/core/node';
import { getZooConfig } from '@distillery/models';

export interface QuickstartSize {
  /** Training images of the generated set (validation: a quarter of it). */
  images: number;
  img: number;
  batch: number;
  teacherEpochs: number;
  studentEpochs: number;
  teacherWidth: number;
  studentWidth: number;
  /** Burn-in iterations at least (train() uses max(3 epochs, this)). */
  warmupIterations: number;
}

export const QUICKSTART_DEFAULTS: QuickstartSize = {
  images: 160,
  img: 160,
  batch: 8,
  teacherEpochs: 10,
  studentEpochs: 8,
  teacherWidth: 0.25,
  studentWidth: 0.5,
  warmupIterations: 20,
};

function widthVariant(zooName: string, width: number, dir: string): string {
  const yaml = getZooConfig(zooName);
  if (!yaml) throw new Error(`quickstart: the model zoo has no ${zooName}`);
  const file = path.join(dir, `${zooName}.w${width}.yaml`);
  const text = yaml.replace(/^width_multiple:\s*[0-9.]+/m, `width_multiple: ${width}`);
  if (!text.includes(`width_multiple: ${width}`)) throw new Error(`quickstart: ${zooName} has no width_multiple to change`);
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text);
  return file;
}

/** Generates the data set (if needed) and the model configs; returns the study to run. */
export async function prepareQuickstart(home: string, size: QuickstartSize): Promise<{ study: StudyInput; data: string }> {
  const dataDir = path.join(home, 'datasets', `quickstart-${size.images}`);
  await ensureDemoDataset(dataDir, {
    seed: 0,
    train: size.images,
    val: Math.max(8, Math.round(size.images / 4)),
    test: 0,
    imageSize: Math.max(size.img, 192),
    maxObjects: 4,
  });
  const data = path.join(dataDir, 'dataset.yaml');
  const models = path.join(home, 'quickstart', 'models');
  const teacherModel = widthVariant('yolov5s_voc', size.teacherWidth, models);
  const studentModel = widthVariant('mobile-yolo5s_voc', size.studentWidth, models);
  const common = {
    data,
    img: size.img,
    batch: size.batch,
    nominalBatch: size.batch,
    augment: false,
    weights: null,
    // Part of the config (not a job option), so a resumed stage keeps the same schedule.
    warmupIterations: size.warmupIterations,
  };
  const study: StudyInput = {
    name: 'quickstart',
    title: 'Quickstart: teacher → baseline student → distilled student on the demo data',
    description: 'A short S1 output-distillation study on the generated data set (reduced widths, small images, few epochs).',
    tables: [],
    stages: [
      { id: 'teacher', preset: 'vocs', overrides: { ...common, model: teacherModel, epochs: size.teacherEpochs } },
      { id: 'baseline', preset: 'mvocs', overrides: { ...common, model: studentModel, epochs: size.studentEpochs } },
      {
        id: 'student',
        preset: 'dmvocs',
        overrides: { ...common, model: studentModel, epochs: size.studentEpochs, teacher: '@stage:teacher' },
      },
    ],
  };
  return { study, data };
}
