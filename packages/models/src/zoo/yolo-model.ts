/**
 * A YOLO network built from a config: the module tree (`model.<i>…` keys, as upstream's `Model`) plus the
 * layer graph and metadata the loss, the loop and the dashboard need.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from '../nn/module.ts';
import { ModuleList } from '../nn/module-list.ts';
import type { Profiler, Shape4 } from '../flops/profiler.ts';
import type { Detect } from '../layers/detect.ts';
import type { ModelConfig } from './config.ts';
import type { GraphNode, LayerInfo, ParsedModel } from './parse-model.ts';
import { traceShapes } from './graph-shapes.ts';
import { inFastInference, withFastInference } from '../engine/inference-mode.ts';
import { Conv } from '../layers/conv.ts';
import { Upsample } from '../layers/upsample.ts';

export interface ForwardOptions {
  /** PyTorch `model.train()`: BN with batch statistics; no decoded output. */
  training: boolean;
  /** Training mode only: update BN running stats (default: true in training mode). */
  updateStats?: boolean;
  /** Layer indices whose outputs to return (distillation taps, e.g. [6, 13, 17]). */
  features?: number[];
  /** Eval mode only: compute the decoded output (default true). */
  decode?: boolean;
}

export interface ForwardResult {
  /** Per level `[bs, na, ny, nx, no]`, upstream order P3, P4, P5 (logits). */
  raw: tf.Tensor5D[];
  /** Requested layer outputs (NHWC). */
  features: Map<number, tf.Tensor4D>;
  /** Eval mode: `[bs, rows, no]` decoded (cx, cy, w, h pixels; obj; class probs), ready for NMS. */
  decoded?: tf.Tensor3D;
}

export function disposeForward(r: ForwardResult): void {
  r.raw.forEach((t) => t.dispose());
  r.features.forEach((t) => t.dispose());
  r.decoded?.dispose();
}

export interface ProfileResult {
  params: number;
  macs: number;
  /** Output shape (NHWC) per layer. */
  shapes: Shape4[];
}

export class YoloModel extends Module {
  readonly nc: number;
  readonly na: number;
  /** nc + 5: values per anchor. */
  readonly no: number;
  /** Detect strides per level, e.g. [8, 16, 32]. */
  readonly strides: number[];
  /** Class names, when known (checkpoints carry them). */
  names?: string[];
  readonly layers: LayerInfo[];
  readonly detect: Detect;
  /** Name of the zoo entry or YAML file the model came from, when known. */
  readonly configName?: string;
  /** The YAML text the model was built from, when it came from YAML. */
  yaml?: string;
  private readonly nodes: GraphNode[];
  /** Layers whose outputs later layers read (upstream's `save` list). */
  private readonly saved: Set<number>;
  /** Upsample → Concat → 1x1 Conv runs, by the Upsample's index: fast inference skips building the two (Conv.forwardUpsampledConcat). */
  private readonly upsampleConcats = new Map<number, UpsampleConcatPlan>();
  private fusedForInference = false;

  constructor(
    readonly config: ModelConfig,
    parsed: ParsedModel,
    configName?: string,
  ) {
    super();
    this.nodes = parsed.nodes;
    this.layers = parsed.nodes.map((n) => n.info);
    this.registerModule('model', new ModuleList(parsed.nodes.map((n) => n.module)));
    const last = parsed.nodes[parsed.nodes.length - 1];
    if (last.kind !== 'detect') throw new Error('the last layer must be Detect');
    this.detect = last.module;
    this.nc = parsed.nc;
    this.na = this.detect.na;
    this.no = this.detect.no;
    this.strides = [...this.detect.strides];
    this.configName = configName;
    this.saved = new Set();
    for (const n of parsed.nodes) for (const j of n.info.inputs) if (j >= 0 && j !== n.info.index - 1) this.saved.add(j);
    for (const n of parsed.nodes) {
      const i = n.info.index;
      const [concat, conv] = [parsed.nodes[i + 1], parsed.nodes[i + 2]];
      if (n.kind !== 'block' || !(n.module instanceof Upsample) || concat?.kind !== 'concat' || conv?.kind !== 'block' || !(conv.module instanceof Conv)) continue;
      const inputs = concat.info.inputs;
      if (inputs.length !== 2 || !inputs.includes(i) || conv.info.inputs[0] !== i + 1 || this.saved.has(i) || this.saved.has(i + 1)) continue;
      this.upsampleConcats.set(i, { scale: n.module.scale, concat: i + 1, other: inputs[0] === i ? inputs[1] : inputs[0], conv: conv.module, smallFirst: inputs[0] === i });
    }
  }

  /** Index of the Detect layer (22 for yolov5s, 30 for mobile-yolo5s). */
  get detectIndex(): number {
    return this.nodes.length - 1;
  }

  /** Anchors in pixels per level `[[w, h] × na]`, read from the `anchor_grid` buffer. */
  get anchors(): number[][][] {
    return this.detect.anchorsPixels();
  }

  /** Anchors in grid units (pixels / stride) per level, from the `anchors` buffer (what the loss uses). */
  get anchorsGrid(): number[][][] {
    return this.detect.anchorsGrid();
  }

  /** Output channels of a layer (for distillation adapters). */
  channelsOf(layer: number): number {
    const info = this.layers[layer];
    if (!info) throw new Error(`no layer ${layer} (the model has ${this.layers.length})`);
    return info.outChannels;
  }

  forward(x: tf.Tensor4D, options: ForwardOptions): ForwardResult {
    const ctx: ForwardContext = { training: options.training, updateStats: options.training && (options.updateStats ?? true) };
    if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`model input must be NHWC [batch, height, width, 3], got [${x.shape.join(', ')}]`);
    const maxStride = Math.max(...this.strides);
    if (x.shape[1] % maxStride !== 0 || x.shape[2] % maxStride !== 0) {
      throw new Error(`model input ${x.shape[1]}x${x.shape[2]}: height and width must be multiples of the largest stride ${maxStride}`);
    }
    const wanted = [...new Set(options.features ?? [])];
    for (const f of wanted) if (!Number.isInteger(f) || f < 0 || f >= this.detectIndex) throw new Error(`feature layer ${f} does not exist (0..${this.detectIndex - 1})`);
    const keep = new Set([...this.saved, ...wanted]);
    const out = tf.tidy(() => {
      const outputs: tf.Tensor4D[] = [];
      const input = (j: number) => (j === -1 ? x : outputs[j]);
      let cur = x;
      let raw: tf.Tensor5D[] = [];
      const fast = !options.training && inFastInference();
      let pending: { plan: UpsampleConcatPlan; small: tf.Tensor4D } | undefined;
      for (const node of this.nodes) {
        const i = node.info.index;
        const plan = fast ? this.upsampleConcats.get(i) : undefined;
        if (plan && !keep.has(i) && !keep.has(plan.concat) && plan.conv.takesUpsampledConcat) {
          const j = node.info.inputs[0];
          pending = { plan, small: j === i - 1 ? cur : input(j) };
          continue;
        }
        if (pending && i === pending.plan.concat) continue;
        if (pending && i === pending.plan.concat + 1) {
          const { plan: p, small } = pending;
          cur = p.conv.forwardUpsampledConcat(small, p.scale, input(p.other), p.smallFirst);
          pending = undefined;
          if (keep.has(i)) outputs[i] = cur;
          continue;
        }
        if (node.kind === 'detect') {
          raw = node.info.inputs.map((j) => node.module.toRaw(j === i - 1 ? cur : input(j)));
          break;
        }
        if (node.kind === 'concat') cur = node.module.forward(node.info.inputs.map((j) => (j === i - 1 ? cur : input(j))));
        else {
          const j = node.info.inputs[0];
          cur = node.module.forward(j === i - 1 ? cur : input(j), ctx);
        }
        if (keep.has(i)) outputs[i] = cur;
      }
      const decoded = !options.training && options.decode !== false ? this.detect.decode(raw) : undefined;
      return { raw, features: wanted.map((f) => outputs[f]), decoded };
    });
    return { raw: out.raw, features: new Map(wanted.map((f, k) => [f, out.features[k]])), decoded: out.decoded };
  }

  /**
   * Inference: eval-mode forward to the decoded `[bs, rows, no]` only, with the fastest kernels the
   * engine has (engine/inference-mode.ts: raw outputs within ~1e-3 of `forward`'s on large inputs).
   */
  predict(x: tf.Tensor4D): tf.Tensor3D {
    const r = withFastInference(() => this.forward(x, { training: false }));
    r.raw.forEach((t) => t.dispose());
    if (!r.decoded) throw new Error('no decoded output');
    return r.decoded;
  }

  override fuse(): void {
    super.fuse();
    this.fusedForInference = true;
  }

  override unfuse(): void {
    super.unfuse();
    this.fusedForInference = false;
  }

  /** Whether `fuse()` folded conv+BN for inference. */
  get isFused(): boolean {
    return this.fusedForInference;
  }

  /**
   * thop 0.0.31 parameter/MAC counts for an input of `height`x`width` (batch 1), `fused` = after upstream's
   * `model.fuse()` (see flops/profiler.ts).
   */
  profile(height: number, width: number, fused = false, batch = 1): ProfileResult {
    const p: Profiler = { fused, macs: 0, params: 0 };
    const shapes = traceShapes(this.nodes, [batch, height, width, 3], p);
    return { params: p.params, macs: p.macs, shapes };
  }

  /** upstream's `parse_model` printout (same columns and formatting). */
  summary(): string {
    const head = `${pad('', 3)}${pad('from', 15)}${pad('n', 3)}${pad('params', 10)}  ${padEnd('module', 40)}${padEnd('arguments', 30)}`;
    const rows = this.layers.map(
      (l) => `${pad(String(l.index), 3)}${pad(pyRepr(l.from), 15)}${pad(String(l.n), 3)}${pad(String(l.params), 10)}  ${padEnd(l.type, 40)}${padEnd(pyRepr(l.args), 30)}`,
    );
    return [head, ...rows].join('\n');
  }
}

function pad(s: string, n: number): string {
  return s.padStart(n);
}
function padEnd(s: string, n: number): string {
  return s.padEnd(n);
}

/** Python `str()` of the argument values parse_model prints. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return String(v);
}

/** An Upsample → Concat → 1x1 Conv run (by the Upsample's index in YoloModel.upsampleConcats). */
interface UpsampleConcatPlan {
  scale: number;
  /** The Concat's layer index (the Conv's is the next). */
  concat: number;
  /** The Concat's other input. */
  other: number;
  conv: Conv;
  /** Whether the upsampled tensor comes first in the concatenation. */
  smallFirst: boolean;
}
