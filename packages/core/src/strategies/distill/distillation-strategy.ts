/**
 * S1 (output) and S2 (feature + output) distillation as one TrainingStrategy.
 * S1 = output term only; S2 adds converted-feature terms. The teacher runs before each step outside
 * the gradient tape (upstream: `with torch.no_grad(): t_pred = t_model(imgs)`, teacher in train mode).
 */
import * as tf from '@tensorflow/tfjs-core';
import { distillationFeatureLoss } from '../../loss/distill-feature.ts';
import { distillationOutputLoss } from '../../loss/distill-output.ts';
import type { LossHyp } from '../../loss/hyp.ts';
import {
  StrategyError,
  type Detector,
  type ParameterOwner,
  type StepContext,
  type StrategyBatch,
  type StrategyLoss,
  type StrategySetupContext,
  type TrainingStrategy,
} from '../strategy.ts';
import { FeatureConverter, type ConverterKind } from './converter.ts';
import {
  checkTeacherFitsStudent,
  loadTeacher,
  runTeacher,
  type TeacherMode,
  type TeacherOutput,
} from './teacher.ts';

/** train.py hooks these layers: student mobile-yolo5s 6, 13, 17; teacher yolov5s/l 4, 6, 10. */
export const UPSTREAM_STUDENT_FEATURE_LAYERS = [6, 13, 17];
export const UPSTREAM_TEACHER_FEATURE_LAYERS = [4, 6, 10];

export interface FeatureDistillationOptions {
  converter: ConverterKind;
  /** Per-level weight relative to `dist` (upstream 1/20). */
  weight: number;
  studentLayers: number[];
  teacherLayers: number[];
}

export interface DistillationOptions {
  name: string;
  teacher: string | Detector;
  teacherMode: TeacherMode;
  /** Multiplies the S1 output term (0 = none). */
  outputWeight: number;
  feature?: FeatureDistillationOptions;
}

export class DistillationStrategy implements TrainingStrategy {
  readonly name: string;
  private teacher?: Detector;
  private ownsTeacher = false;
  private converters: FeatureConverter[] = [];
  private prepared?: TeacherOutput;
  private hyp?: LossHyp;
  private nc = 0;

  constructor(private readonly options: DistillationOptions) {
    this.name = options.name;
    const f = options.feature;
    if (f && (f.studentLayers.length !== f.teacherLayers.length || f.studentLayers.length === 0)) {
      throw new StrategyError(
        `${this.name}: ${f.studentLayers.length} student layers vs ${f.teacherLayers.length} teacher layers for feature distillation`,
      );
    }
  }

  async setup(ctx: StrategySetupContext): Promise<void> {
    const { teacher } = this.options;
    if (typeof teacher === 'string') {
      this.teacher = await loadTeacher(ctx, teacher, this.name);
      this.ownsTeacher = true;
    } else {
      this.teacher = teacher;
    }
    this.hyp = ctx.hyp;
    this.nc = ctx.student.nc;
    const f = this.options.feature;
    const shapes = checkTeacherFitsStudent(
      ctx.student,
      this.teacher,
      this.name,
      f && { student: f.studentLayers, teacher: f.teacherLayers },
    );
    if (f) {
      this.converters = f.studentLayers.map((sl, k) => {
        const s = shapes.student.get(sl)!;
        const t = shapes.teacher.get(f.teacherLayers[k])!;
        if (s[1] !== t[1] || s[2] !== t[2]) {
          throw new StrategyError(
            `${this.name}: student layer ${sl} is ${s[1]}×${s[2]} but teacher layer ${f.teacherLayers[k]} is ${t[1]}×${t[2]} on the same input`,
          );
        }
        return new FeatureConverter(s[3], t[3], f.converter, ctx.config.seed * 1000 + k);
      });
    }
    ctx.log?.(
      `${this.name}: teacher ${typeof teacher === 'string' ? teacher : '(given)'} in ${this.options.teacherMode} mode` +
        (f
          ? `, features student ${f.studentLayers.join('/')} → teacher ${f.teacherLayers.join('/')} (${f.converter})`
          : ''),
    );
  }

  studentFeatureLayers(): number[] {
    return this.options.feature?.studentLayers ?? [];
  }

  /** The converters trained with the student (PyTorch names `S_Converter_{k}.*`, as upstream). */
  trainableModules(): ParameterOwner[] {
    return this.converters.map((c, k) => ({
      namedParameters: () =>
        new Map([...c.namedParameters()].map(([n, v]) => [`S_Converter_${k + 1}.${n}`, v])),
    }));
  }

  /** The converters themselves (tests, checkpoints of a run in progress). */
  featureConverters(): readonly FeatureConverter[] {
    return this.converters;
  }

  beforeStep(batch: StrategyBatch): void {
    this.releasePrepared();
    this.prepared = this.teacherOutputs(batch.images);
  }

  private teacherOutputs(images: tf.Tensor4D): TeacherOutput {
    if (!this.teacher) throw new StrategyError(`${this.name}: setup() was not called`);
    const f = this.options.feature;
    const out = runTeacher(this.teacher, images, this.options.teacherMode, f?.teacherLayers ?? []);
    if (f?.converter === 'conv-bn-relu6') {
      // S2.1: the teacher side goes through ReLU6 (upstream T_Converter = nn.ReLU6()).
      const relu = out.features.map((t) => tf.relu6(t));
      tf.dispose(out.features);
      out.features = relu;
    }
    return out;
  }

  extraLoss(step: StepContext): StrategyLoss {
    const hyp = this.hyp ?? step.hyp;
    // Fallback when the loop did not call beforeStep: the teacher runs inside the tape (correct, more
    // memory); its outputs then belong to the tape's scope, which frees them after the backward pass.
    const teacherOut = this.prepared ?? this.teacherOutputs(step.images);
    return tf.tidy(() => {
      const items: Record<string, tf.Scalar> = {};
      const terms: tf.Scalar[] = [];
      if (this.options.outputWeight > 0) {
        const out = distillationOutputLoss(step.student.raw, teacherOut.raw, this.nc, hyp);
        const term = tf.mul(out.total, this.options.outputWeight) as tf.Scalar;
        items.ldistill_output = term;
        terms.push(term);
      }
      const f = this.options.feature;
      if (f) {
        const converted = f.studentLayers.map((l, k) => {
          const s = step.student.features.get(l);
          if (!s)
            throw new StrategyError(
              `${this.name}: the student forward did not return layer ${l} (studentFeatureLayers)`,
            );
          return this.converters[k].forward(s, true);
        });
        const term = distillationFeatureLoss(converted, teacherOut.features, hyp.dist ?? 1, f.weight);
        items.ldistill_feature = term;
        terms.push(term);
      }
      const total = (terms.length ? tf.addN(terms) : tf.scalar(0)) as tf.Scalar;
      items.ldistill = total;
      return { total, items };
    });
  }

  afterStep(): void {
    this.releasePrepared();
  }

  private releasePrepared(): void {
    if (this.prepared) tf.dispose([...this.prepared.raw, ...this.prepared.features]);
    this.prepared = undefined;
  }

  dispose(): void {
    this.releasePrepared();
    for (const c of this.converters) c.dispose();
    this.converters = [];
    if (this.ownsTeacher) this.teacher?.dispose?.();
    this.teacher = undefined;
  }
}
