/**
 * A PyTorch-like module tree on tfjs (contract 1).
 *
 * Children are registered in order under their PyTorch attribute names, so the dotted path of every
 * parameter and buffer equals the upstream `state_dict` key (`model.0.conv.conv.weight`). Values are
 * kept in tfjs layouts (NHWC activations, HWIO conv weights, `[kh, kw, C, 1]` depthwise weights); the
 * `layout` tag of each entry says how to convert it from/to PyTorch's OIHW (see `torch/layout.ts`).
 */
import * as tf from '@tensorflow/tfjs-core';

/** How an entry maps to PyTorch: `conv` HWIO↔OIHW, `depthwise` [kh,kw,C,1]↔[C,1,kh,kw], `plain` as is. */
export type TorchLayout = 'conv' | 'depthwise' | 'plain';

export interface StateEntry {
  /** A plain tensor until `materialize()`, then a `tf.Variable` named `<scope>/<key>`. */
  tensor: tf.Tensor;
  layout: TorchLayout;
  /** Parameters are trainable; buffers (running stats, counters, anchors) are not. */
  kind: 'parameter' | 'buffer';
}

/** Mode flags passed down a forward pass. */
export interface ForwardContext {
  /** Batch-statistics BN (PyTorch `model.train()`). */
  training: boolean;
  /** In training mode: update BN running statistics (momentum, unbiased variance) and counters. */
  updateStats: boolean;
}

export const EVAL: ForwardContext = Object.freeze({ training: false, updateStats: false });
export const TRAIN: ForwardContext = Object.freeze({ training: true, updateStats: true });

export interface LoadOptions {
  /** Default true: missing, unexpected or mis-shaped tensors are an error naming each of them. */
  strict?: boolean;
  /** Names the source (file) in error messages. */
  source?: string;
}

/** What `loadStateDict` did; with `strict: false` the caller decides what to do with the rest. */
export interface LoadReport {
  loaded: string[];
  missing: string[];
  unexpected: string[];
  /** Present in both but with a different shape: not loaded. */
  mismatched: { key: string; expected: number[]; got: number[] }[];
}

export class StateDictError extends Error {
  constructor(
    message: string,
    readonly report: LoadReport,
  ) {
    super(message);
    this.name = 'StateDictError';
  }
}

let scopeCounter = 0;

export abstract class Module {
  private readonly _children = new Map<string, Module>();
  private readonly _entries = new Map<string, StateEntry>();
  private _materialized = false;

  /** Registers a child under its PyTorch attribute name; registration order = `state_dict` order. */
  protected registerModule<M extends Module>(name: string, module: M): M {
    if (this._children.has(name) || this._entries.has(name)) throw new Error(`duplicate member name '${name}'`);
    this._children.set(name, module);
    return module;
  }

  protected registerParameter(name: string, value: tf.Tensor, layout: TorchLayout = 'plain'): void {
    this.addEntry(name, { tensor: value, layout, kind: 'parameter' });
  }

  protected registerBuffer(name: string, value: tf.Tensor, layout: TorchLayout = 'plain'): void {
    this.addEntry(name, { tensor: value, layout, kind: 'buffer' });
  }

  private addEntry(name: string, entry: StateEntry): void {
    if (this._children.has(name) || this._entries.has(name)) throw new Error(`duplicate member name '${name}'`);
    this._entries.set(name, entry);
  }

  /** The current value of a local parameter or buffer. */
  protected get(name: string): tf.Tensor {
    const e = this._entries.get(name);
    if (!e) throw new Error(`${this.constructor.name} has no parameter or buffer '${name}'`);
    return e.tensor;
  }

  /** Whether a local parameter/buffer exists (e.g. optional conv bias). */
  protected has(name: string): boolean {
    return this._entries.has(name);
  }

  child(name: string): Module | undefined {
    return this._children.get(name);
  }

  children(): [string, Module][] {
    return [...this._children.entries()];
  }

  /** Every module of the subtree, depth first, PyTorch `named_modules()` order ('' = this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this._children) out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** All entries in PyTorch `state_dict()` order: a module's parameters, then its buffers, then its children. */
  namedEntries(prefix = ''): [string, StateEntry][] {
    const out: [string, StateEntry][] = [];
    const key = (n: string) => (prefix ? `${prefix}.${n}` : n);
    for (const [n, e] of this._entries) if (e.kind === 'parameter') out.push([key(n), e]);
    for (const [n, e] of this._entries) if (e.kind === 'buffer') out.push([key(n), e]);
    for (const [n, m] of this._children) out.push(...m.namedEntries(key(n)));
    return out;
  }

  /** Trainable parameters (PyTorch `named_parameters()`), as the variables themselves. */
  namedParameters(): Map<string, tf.Variable> {
    return new Map(this.namedEntries().filter(([, e]) => e.kind === 'parameter').map(([k, e]) => [k, e.tensor as tf.Variable]));
  }

  /** Buffers: BN running_mean/var, num_batches_tracked, Detect anchors/anchor_grid. */
  namedBuffers(): Map<string, tf.Variable> {
    return new Map(this.namedEntries().filter(([, e]) => e.kind === 'buffer').map(([k, e]) => [k, e.tensor as tf.Variable]));
  }

  /** Parameters and buffers in upstream key order, tfjs layouts (the live variables, do not dispose). */
  stateDict(): Map<string, tf.Tensor> {
    return new Map(this.namedEntries().map(([k, e]) => [k, e.tensor]));
  }

  /** Number of trainable parameter values (PyTorch `sum(p.numel() for p in parameters())`). */
  numParameters(): number {
    let n = 0;
    for (const [, e] of this.namedEntries()) if (e.kind === 'parameter') n += e.tensor.size;
    return n;
  }

  /**
   * Turns every entry into a `tf.Variable` named `<scope>/<key>` (unique per model so a teacher and a
   * student can coexist; tfjs optimizers key their slots by variable name). Called once by the builder.
   */
  materialize(scope?: string): string {
    if (this._materialized) throw new Error('module already materialized');
    const s = scope ?? `m${++scopeCounter}`;
    const used = s;
    for (const [key, e] of this.namedEntries()) {
      const v = tf.variable(e.tensor, e.kind === 'parameter', `${used}/${key}`, e.tensor.dtype);
      e.tensor.dispose();
      e.tensor = v;
    }
    for (const [, m] of this.namedModules()) m._materialized = true;
    return used;
  }

  /** Freezes (false) or unfreezes (true) every parameter of this subtree. */
  setTrainable(trainable: boolean): void {
    for (const [, e] of this.namedEntries()) if (e.kind === 'parameter' && e.tensor instanceof tf.Variable) e.tensor.trainable = trainable;
  }

  /**
   * Assigns values (tfjs layouts) by upstream key. Strict (default): any missing, unexpected or
   * mis-shaped tensor is an error that lists them all and nothing is assigned.
   */
  loadStateDict(values: Map<string, tf.Tensor>, options: LoadOptions = {}): LoadReport {
    const strict = options.strict ?? true;
    const entries = new Map(this.namedEntries());
    const report: LoadReport = { loaded: [], missing: [], unexpected: [], mismatched: [] };
    for (const [key, e] of entries) {
      const v = values.get(key);
      if (!v) report.missing.push(key);
      else if (!sameShape(v.shape, e.tensor.shape)) report.mismatched.push({ key, expected: e.tensor.shape, got: v.shape });
    }
    for (const key of values.keys()) if (!entries.has(key)) report.unexpected.push(key);
    if (strict && (report.missing.length || report.unexpected.length || report.mismatched.length)) {
      throw new StateDictError(describeLoadProblems(report, options.source), report);
    }
    const bad = new Set(report.mismatched.map((m) => m.key));
    for (const [key, e] of entries) {
      const v = values.get(key);
      if (!v || bad.has(key)) continue;
      const cast = v.dtype === e.tensor.dtype ? v : tf.cast(v, e.tensor.dtype);
      (e.tensor as tf.Variable).assign(cast);
      if (cast !== v) cast.dispose();
      report.loaded.push(key);
    }
    this.unfuse();
    return report;
  }

  /**
   * Folds conv+BN pairs for inference (upstream `Model.fuse()`): eval-mode forwards then use one fused
   * convolution (bias + activation) per pair. The folded copies are a snapshot: `loadStateDict` drops
   * them, and after changing weights otherwise (an optimizer step) call `unfuse()` or `fuse()` again.
   */
  fuse(): void {
    for (const [, m] of this._children) m.fuse();
  }

  /** Drops the folded copies made by `fuse()`. */
  unfuse(): void {
    for (const [, m] of this._children) m.unfuse();
  }

  /** Frees every variable of the subtree. */
  dispose(): void {
    this.unfuse();
    for (const [, e] of this.namedEntries()) e.tensor.dispose();
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** One message naming every problem: the layer (`model.<i>`) and the tensor. */
export function describeLoadProblems(r: LoadReport, source?: string): string {
  const layerOf = (key: string) => {
    const m = /^model\.(\d+)\./.exec(key);
    return m ? `layer ${m[1]} ` : '';
  };
  const parts: string[] = [];
  const list = (keys: string[]) => keys.slice(0, 12).map((k) => `${layerOf(k)}'${k}'`).join(', ') + (keys.length > 12 ? `, … (${keys.length} in all)` : '');
  if (r.missing.length) parts.push(`missing ${r.missing.length} tensor(s): ${list(r.missing)}`);
  if (r.unexpected.length) parts.push(`unexpected ${r.unexpected.length} tensor(s): ${list(r.unexpected)}`);
  if (r.mismatched.length) {
    const mm = r.mismatched.slice(0, 12).map((m) => `${layerOf(m.key)}'${m.key}' is [${m.got.join(', ')}], the model needs [${m.expected.join(', ')}]`);
    parts.push(`mis-shaped ${r.mismatched.length} tensor(s): ${mm.join('; ')}${r.mismatched.length > 12 ? '; …' : ''}`);
  }
  return `${source ? `${source}: ` : ''}weights do not fit the model: ${parts.join('; ')}`;
}
