/**
 * A model config in the upstream YAML form: `nc`, `depth_multiple`, `width_multiple`, `anchors` (per level
 * `[w0, h0, w1, h1, …]` in pixels) and `backbone`/`head` lists of `[from, number, module, args]`.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const From = z.union([z.number().int(), z.array(z.number().int())]);
export const LayerSpecSchema = z.tuple([From, z.number().int().min(1), z.string().min(1), z.array(z.unknown())]);
export type LayerSpec = z.infer<typeof LayerSpecSchema>;

export const ModelConfigSchema = z
  .object({
    nc: z.number().int().positive(),
    depth_multiple: z.number().positive(),
    width_multiple: z.number().positive(),
    anchors: z.array(z.array(z.number().positive()).min(2)).min(1),
    backbone: z.array(LayerSpecSchema).min(1),
    head: z.array(LayerSpecSchema).min(1),
    /** Pruned widths (network slimming): output channels of the plain conv at each module path. */
    channels: z.record(z.string(), z.number().int().positive()).optional(),
  })
  .passthrough()
  .superRefine((c, ctx) => {
    const n = c.anchors[0].length;
    c.anchors.forEach((level, i) => {
      if (level.length % 2 !== 0 || level.length !== n) {
        ctx.addIssue({ code: 'custom', path: ['anchors', i], message: `every level needs the same even number of values (w, h pairs), got ${level.length}` });
      }
    });
  });
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelConfigError';
  }
}

/** Parses YAML text (or validates an object) into a config; errors name the source and the field. */
export function parseModelConfig(input: string | unknown, source = 'model config'): ModelConfig {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = parseYaml(input);
    } catch (e) {
      throw new ModelConfigError(`${source}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
    }
  }
  const r = ModelConfigSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = describePath(issue.path, raw);
    throw new ModelConfigError(`${source}: ${at}: ${issue.message}`);
  }
  // A deep copy: the builder never mutates what the caller passed.
  return structuredClone(r.data);
}

function describePath(path: (string | number)[], raw: unknown): string {
  if ((path[0] === 'backbone' || path[0] === 'head') && typeof path[1] === 'number') {
    const nBackbone = Array.isArray((raw as { backbone?: unknown[] })?.backbone) ? (raw as { backbone: unknown[] }).backbone.length : 0;
    const index = path[0] === 'head' ? nBackbone + path[1] : path[1];
    const field = ['from', 'number', 'module', 'args'][Number(path[2])];
    return `layer ${index}${field ? ` (${field})` : ''}`;
  }
  return path.length ? path.join('.') : 'config';
}
