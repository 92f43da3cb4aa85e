/**
 * Derives the channel dependencies of a YOLO network from its layer graph (each layer's `from`,
 * module and arguments, as built by `parseModel`): which tensor axis belongs to which channel space
 * (see channel-spaces.ts), which BN normalises which space, and where the output convs are.
 *
 * This is what torch_pruning's traced dependency graph does for upstream `pruning.py`, written out
 * per module type: a conv's output channels, its BN, the activation and every consumer's input
 * channels move together; residual adds (InvertedResidual with stride 1 and inp = oup, Bottleneck with
 * shortcut) and depthwise convs tie their input and output channels; Concat, Focus and SPP lay their
 * inputs end to end. The Detect inputs (the head convs) never lose output channels.
 */
import {
  BatchNorm2d,
  Bottleneck,
  BottleneckCSP,
  Concat,
  Conv,
  Conv2d,
  ConvBNReLU,
  Detect,
  Focus,
  InvertedResidual,
  Sequential,
  SPP,
  Upsample,
  type Module,
  type YoloModel,
} from '@distillery/models';
import { ChannelSpaces } from './channel-spaces.ts';
import { PruneError } from './errors.ts';

/** One axis of a state_dict tensor (tfjs layout) tied to a channel space. */
export interface AxisBinding {
  axis: number;
  space: number;
}

export interface ChannelGraph {
  spaces: ChannelSpaces;
  /** State-dict key → the axes that follow a channel space (conv HWIO: in = 2, out = 3; 1-D: 0). */
  bindings: Map<string, AxisBinding[]>;
  /** BN module path → the space it normalises. */
  batchNorms: Map<string, number>;
  /** Module path of every plain (not depthwise) conv → its output space. */
  convOutputs: Map<string, number>;
}

export function buildChannelGraph(model: YoloModel): ChannelGraph {
  const g: ChannelGraph = { spaces: new ChannelSpaces(), bindings: new Map(), batchNorms: new Map(), convOutputs: new Map() };
  const list = model.child('model');
  if (!list) throw new PruneError('the model has no `model` layer list');
  const input = g.spaces.leaf(3, 'the input image');
  const outputs: number[] = [];
  const spaceOf = (j: number) => (j === -1 ? input : outputs[j]);
  for (const info of model.layers) {
    const path = `model.${info.index}`;
    const m = list.child(String(info.index));
    if (!m) throw new PruneError(`${path}: missing module`);
    const ins = info.inputs.map(spaceOf);
    if (m instanceof Detect) {
      ins.forEach((s, level) => g.spaces.freeze(s, `feeds Detect level ${level} (detection outputs are never pruned)`));
      outputs.push(ins[0]);
    } else if (m instanceof Concat) outputs.push(g.spaces.concat(ins, `${path} (Concat)`));
    else outputs.push(block(g, path, m, ins[0]));
  }
  return g;
}

function bind(g: ChannelGraph, key: string, axes: AxisBinding[]): void {
  g.bindings.set(key, axes);
}

function conv2d(g: ChannelGraph, path: string, c: Conv2d, x: number): number {
  if (c.depthwise) {
    bind(g, `${path}.weight`, [{ axis: 2, space: x }]);
    if (c.hasBias) bind(g, `${path}.bias`, [{ axis: 0, space: x }]);
    return x;
  }
  const out = g.spaces.leaf(c.cout, path);
  g.convOutputs.set(path, out);
  bind(g, `${path}.weight`, [
    { axis: 2, space: x },
    { axis: 3, space: out },
  ]);
  if (c.hasBias) bind(g, `${path}.bias`, [{ axis: 0, space: out }]);
  return out;
}

function batchNorm(g: ChannelGraph, path: string, x: number): number {
  for (const k of ['weight', 'bias', 'running_mean', 'running_var']) bind(g, `${path}.${k}`, [{ axis: 0, space: x }]);
  g.batchNorms.set(path, x);
  return x;
}

/** A straight chain of convs and BNs (the members of a Sequential-like body), in order. */
function chain(g: ChannelGraph, path: string, m: Module, x: number): number {
  let s = x;
  for (const [name, c] of m.children()) {
    const p = `${path}.${name}`;
    if (c instanceof Conv2d) s = conv2d(g, p, c, s);
    else if (c instanceof BatchNorm2d) s = batchNorm(g, p, s);
    else if (c instanceof ConvBNReLU || c instanceof Conv) s = chain(g, p, c, s);
    else throw new PruneError(`${p}: ${c.constructor.name} inside a conv chain is not supported by the pruner`);
  }
  return s;
}

function block(g: ChannelGraph, path: string, m: Module, x: number): number {
  if (m instanceof Conv) return chain(g, path, m, x);
  if (m instanceof Conv2d) return conv2d(g, path, m, x);
  if (m instanceof Upsample) return x;
  if (m instanceof Sequential) {
    let s = x;
    for (const [name, b] of m.children()) s = block(g, `${path}.${name}`, b, s);
    return s;
  }
  if (m instanceof Focus) {
    // Space-to-depth: four copies of the input's channels side by side.
    const cat = g.spaces.concat([x, x, x, x], `${path} (space-to-depth)`);
    return chain(g, `${path}.conv`, m.conv, cat);
  }
  if (m instanceof InvertedResidual) {
    const body = m.child('conv');
    if (!body) throw new PruneError(`${path}: InvertedResidual without its conv body`);
    const out = chain(g, `${path}.conv`, body, x);
    if (m.useResidual) g.spaces.same(x, out, `${path} (residual add)`);
    return out;
  }
  if (m instanceof Bottleneck) {
    const h = chain(g, `${path}.cv1`, m.cv1, x);
    const out = chain(g, `${path}.cv2`, m.cv2, h);
    if (m.add) g.spaces.same(x, out, `${path} (shortcut add)`);
    return out;
  }
  if (m instanceof BottleneckCSP) {
    const a = chain(g, `${path}.cv1`, m.cv1, x);
    const mo = block(g, `${path}.m`, m.m, a);
    const y1 = conv2d(g, `${path}.cv3`, m.cv3, mo);
    const y2 = conv2d(g, `${path}.cv2`, m.cv2, x);
    const cat = g.spaces.concat([y1, y2], `${path} (cat before bn)`);
    batchNorm(g, `${path}.bn`, cat);
    return chain(g, `${path}.cv4`, m.cv4, cat);
  }
  if (m instanceof SPP) {
    const a = chain(g, `${path}.cv1`, m.cv1, x);
    // cat(x, maxpool_k(x) for k): max-pooling keeps channels, so every copy is the same space.
    const cat = g.spaces.concat(Array.from({ length: m.kernels.length + 1 }, () => a), `${path} (cat of pools)`);
    return chain(g, `${path}.cv2`, m.cv2, cat);
  }
  throw new PruneError(`${path}: ${m.constructor.name} is not supported by the pruner`);
}
