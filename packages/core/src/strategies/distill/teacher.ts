/**
 * The teacher side of distillation: loading it through the app's loader, checking BEFORE training
 * that its outputs fit the student's, and running it without gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOutputLayouts } from '../../loss/distill-output.ts';
import { StrategyError, type Detector, type DetectorOutput, type StrategySetupContext } from '../strategy.ts';

export type TeacherMode = 'train' | 'eval';

export async function loadTeacher(
  ctx: StrategySetupContext,
  ref: string,
  strategy: string,
): Promise<Detector> {
  if (!ctx.loadTeacher)
    throw new StrategyError(
      `${strategy}: teacher '${ref}' cannot be loaded: no teacher loader was given to the strategy`,
    );
  try {
    return await ctx.loadTeacher(ref);
  } catch (e) {
    throw new StrategyError(`${strategy}: cannot load teacher '${ref}': ${(e as Error).message}`);
  }
}

/** The square probe input used to compare layouts (a multiple of the largest stride). */
function probeSize(student: Detector, teacher: Detector): number {
  const s = Math.max(...student.strides, ...teacher.strides);
  return Math.max(64, 2 * s);
}

/**
 * Teacher and student may differ in everything but the output layout: same classes, anchors per level,
 * strides and levels. Checked on the metadata, then on a probe forward (eval mode, no state change),
 * which also returns the probe's feature maps for the layers asked for.
 */
export function checkTeacherFitsStudent(
  student: Detector,
  teacher: Detector,
  strategy: string,
  features?: { student: number[]; teacher: number[] },
): { student: Map<number, number[]>; teacher: Map<number, number[]> } {
  const problems: string[] = [];
  if (student.nc !== teacher.nc) problems.push(`classes: student ${student.nc}, teacher ${teacher.nc}`);
  if (student.na !== teacher.na)
    problems.push(`anchors per level: student ${student.na}, teacher ${teacher.na}`);
  if (student.strides.join(',') !== teacher.strides.join(',')) {
    problems.push(
      `strides: student [${student.strides.join(', ')}], teacher [${teacher.strides.join(', ')}]`,
    );
  }
  if (problems.length)
    throw new StrategyError(
      `${strategy}: the teacher's output layout does not fit the student (${problems.join('; ')})`,
    );
  const size = probeSize(student, teacher);
  const shapes = { student: new Map<number, number[]>(), teacher: new Map<number, number[]>() };
  tf.tidy(() => {
    const x = tf.zeros([1, size, size, 3]) as tf.Tensor4D;
    const s = student.forward(x, { training: false, updateStats: false, features: features?.student });
    const t = teacher.forward(x, { training: false, updateStats: false, features: features?.teacher });
    try {
      checkOutputLayouts(s.raw, t.raw);
    } catch (e) {
      throw new StrategyError(`${strategy}: ${(e as Error).message}`);
    }
    const record = (o: DetectorOutput, layers: number[] | undefined, who: 'student' | 'teacher') => {
      for (const l of layers ?? []) {
        const f = o.features.get(l);
        if (!f) throw new StrategyError(`${strategy}: the ${who} did not return the output of layer ${l}`);
        shapes[who].set(l, f.shape.slice());
      }
    };
    record(s, features?.student, 'student');
    record(t, features?.teacher, 'teacher');
  });
  return shapes;
}

/** What a teacher forward leaves for the loss: raw outputs and the requested feature maps. */
export interface TeacherOutput {
  raw: tf.Tensor5D[];
  /** In the order of the requested layers. */
  features: tf.Tensor4D[];
}

/**
 * Teacher forward, BN running statistics untouched: in 'train' mode (upstream) BN normalises with the
 * batch statistics. Run it outside the gradient tape (a strategy's beforeStep); only the outputs
 * survive, the teacher's intermediate tensors are freed at once.
 */
export function runTeacher(
  teacher: Detector,
  images: tf.Tensor4D,
  mode: TeacherMode,
  features: number[] = [],
): TeacherOutput {
  return tf.tidy(() => {
    const out = teacher.forward(images, { training: mode === 'train', updateStats: false, features });
    return {
      raw: out.raw,
      features: features.map((l) => {
        const f = out.features.get(l);
        if (!f) throw new StrategyError(`teacher did not return the output of layer ${l}`);
        return f;
      }),
    };
  });
}
