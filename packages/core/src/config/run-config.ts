/**
 * The run configuration: one zod schema used by the CLI, the tRPC API and the database JSON column.
 * Defaults are the upstream train.py values (hyp dict, batch, nominal batch 64, 50 epochs at 640);
 * presets override them and record what they changed.
 */
import { z } from 'zod';

/** Upstream train.py `hyp` plus the fork's `sl` (sparsity) and `dist` (distillation) weights. */
export const HypSchema = z
  .object({
    lr0: z.number().positive().default(0.01),
    // The fork hard-codes `lf = ((1 + cos(pi·x/epochs))/2)·0.9 + 0.1`, i.e. a final factor of 0.1.
    lrf: z.number().positive().max(1).default(0.1).describe('final lr = lr0 * lrf (cosine)'),
    momentum: z.number().min(0).max(1).default(0.937),
    weight_decay: z.number().min(0).default(5e-4),
    giou: z.number().min(0).default(0.05),
    cls: z.number().min(0).default(0.58).describe('scaled by nc/80 at run time, as train.py does'),
    cls_pw: z.number().positive().default(1.0),
    obj: z.number().min(0).default(1.0),
    obj_pw: z.number().positive().default(1.0),
    iou_t: z.number().min(0).max(1).default(0.2),
    anchor_t: z.number().positive().default(4.0),
    fl_gamma: z.number().min(0).default(0.0),
    hsv_h: z.number().min(0).max(1).default(0.014),
    hsv_s: z.number().min(0).max(1).default(0.68),
    hsv_v: z.number().min(0).max(1).default(0.36),
    degrees: z.number().min(0).default(0.0),
    translate: z.number().min(0).max(1).default(0.0),
    scale: z.number().min(0).max(1).default(0.5),
    shear: z.number().min(0).default(0.0),
    fliplr: z.number().min(0).max(1).default(0.5),
    mosaic: z.number().min(0).max(1).default(1.0),
    sl: z.number().min(0).default(6e-4),
    dist: z.number().min(0).default(1.0),
  })
  .strict();
export type Hyp = z.infer<typeof HypSchema>;

/** A teacher: a finished run's id, a checkpoint path, or imported upstream weights (safetensors). */
export const TeacherRefSchema = z.string().min(1);

export const StrategySchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('distill-output'),
      teacher: TeacherRefSchema,
      /** Upstream runs the teacher in train mode (BN batch statistics); 'eval' is the option. */
      teacherMode: z.enum(['train', 'eval']).default('train'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('distill-feature'),
      teacher: TeacherRefSchema,
      teacherMode: z.enum(['train', 'eval']).default('train'),
      /** S2.1 conv+BN+ReLU6 (ReLU6 on the teacher) or S2.2 a plain 1x1 conv. */
      converter: z.enum(['conv-bn-relu6', 'conv']).default('conv-bn-relu6'),
      /** Weight of the feature term relative to dist (upstream: dist/20 per level). */
      featureWeight: z.number().min(0).default(0.05),
      /** Output distillation weight (S2 = S1 + features); 0 disables the output term. */
      outputWeight: z.number().min(0).default(1.0),
      studentLayers: z.array(z.number().int().nonnegative()).optional(),
      teacherLayers: z.array(z.number().int().nonnegative()).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('sparsity'), sl: z.number().positive().optional() }).strict(),
]);
export type Strategy = z.infer<typeof StrategySchema>;

export const PruneSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('ratio'), ratio: z.number().gt(0).lt(1) }).strict(),
  z.object({ mode: z.literal('threshold'), threshold: z.number().positive() }).strict(),
]);
export type PruneSpec = z.infer<typeof PruneSchema>;

export const BackendSchema = z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
export type BackendName = z.infer<typeof BackendSchema>;

export const RunConfigSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    /** The preset this config was resolved from, and the fields the user overrode. */
    preset: z.string().optional(),
    overrides: z.array(z.string()).default([]),
    /** A zoo config name (e.g. `mobile-yolo5s_voc`) or a path to a model YAML. */
    model: z.string().min(1).default('mobile-yolo5s_voc'),
    /** `demo` (the built-in generated set) or a path to a data-set description YAML. */
    data: z.string().min(1).default('demo'),
    img: z
      .number()
      .int()
      .min(32)
      .max(1280)
      .refine((v) => v % 32 === 0, 'must be a multiple of 32 (the largest stride)')
      .default(640),
    batch: z.number().int().min(1).max(512).default(24),
    /** Gradients accumulate until this many images, as upstream (`nbs = 64`). */
    nominalBatch: z.number().int().min(1).default(64),
    epochs: z.number().int().min(1).max(10000).default(50),
    optimizer: z.enum(['sgd', 'adam']).default('sgd'),
    hyp: HypSchema.default({}),
    /** Initial weights: a run id, a checkpoint path, or upstream safetensors (imported). */
    weights: z.string().optional(),
    strategies: z.array(StrategySchema).default([]),
    /** Set for a prune stage: prune `weights` then fine-tune for `epochs`. */
    prune: PruneSchema.optional(),
    backend: BackendSchema.default('auto'),
    /** Data-parallel training threads on WASM/CPU (0 = number of cores). */
    workers: z.number().int().min(0).max(64).default(0),
    seed: z.number().int().min(0).default(0),
    /** Mosaic/affine/HSV augmentation on the training split. */
    augment: z.boolean().default(true),
    ema: z.boolean().default(true),
    /** Burn-in: max(warmupEpochs · batches per epoch, warmupIterations) iterations (upstream 3 and 1000). */
    warmupEpochs: z.number().min(0).default(3),
    warmupIterations: z.number().int().min(0).default(1000),
    eval: z
      .object({
        confThres: z.number().min(0).max(1).default(0.001),
        iouThres: z.number().min(0).max(1).default(0.6),
        every: z.number().int().min(1).default(1),
      })
      .strict()
      .default({}),
    /** What to do with a sample that fails to load: stop the run, or skip it and record it. */
    badSamples: z.enum(['stop', 'skip']).default('stop'),
  })
  .strict();

export type RunConfig = z.infer<typeof RunConfigSchema>;
export type RunConfigInput = z.input<typeof RunConfigSchema>;

/** Validates a config; the error lists each bad field by its path (`hyp.lr0: ...`). */
export function parseRunConfig(input: unknown, source = 'config'): RunConfig {
  const result = RunConfigSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`${source}: invalid run config: ${lines.join('; ')}`);
  }
  return result.data;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
