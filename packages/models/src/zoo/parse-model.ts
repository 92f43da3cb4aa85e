/**
 * TypeScript `parse_model`: turns a config into layers exactly as the fork's `models/yolo.py` does:
 * depth gain `n = max(round(n·gd), 1)` for n > 1; output widths `make_divisible(c2·gw, 8)` except the head
 * convs with na·(nc+5) outputs; the fork's rules for Focus (width `make_divisible(32·gw, 8)` whatever the
 * YAML says) and InvertedResidual; BottleneckCSP gets n as an argument, other modules with n > 1 become an
 * `nn.Sequential` of n; Detect without `from` takes every earlier layer with na·(nc+5) channels, reversed.
 */
import type { Module } from '../nn/module.ts';
import { createRng, type Rng } from '../nn/random.ts';
import { Sequential, type Block } from '../nn/sequential.ts';
import { Conv } from '../layers/conv.ts';
import { Conv2d } from '../layers/conv2d.ts';
import { Focus } from '../layers/focus.ts';
import { Bottleneck } from '../layers/bottleneck.ts';
import { BottleneckCSP } from '../layers/bottleneck-csp.ts';
import { SPP } from '../layers/spp.ts';
import { InvertedResidual, pyRoundHalfEven } from '../layers/inverted-residual.ts';
import { Upsample } from '../layers/upsample.ts';
import { Concat } from '../layers/concat.ts';
import { Detect } from '../layers/detect.ts';
import { ModelConfigError, type ModelConfig } from './config.ts';
import { evaluateArg, type ExprValue } from './expr.ts';
import { traceShapes } from './graph-shapes.ts';
import { ChannelOverrides } from './channel-overrides.ts';

/** Module names a config may use, with the type name upstream's printout shows. */
export const MODULE_TYPES = {
  Conv: 'models.common.Conv',
  Focus: 'models.common.Focus',
  Bottleneck: 'models.common.Bottleneck',
  BottleneckCSP: 'models.common.BottleneckCSP',
  SPP: 'models.common.SPP',
  InvertedResidual: 'models.common.InvertedResidual',
  Concat: 'models.common.Concat',
  'nn.Conv2d': 'torch.nn.modules.conv.Conv2d',
  'nn.Upsample': 'torch.nn.modules.upsampling.Upsample',
  Detect: 'models.yolo.Detect',
} as const;
export type ModuleName = keyof typeof MODULE_TYPES;

/** One row of upstream's `parse_model` printout, plus what the graph needs. */
export interface LayerInfo {
  index: number;
  /** As written (after Detect's automatic inputs): -1 = previous layer, negative = relative. */
  from: number | number[];
  /** Absolute input layer indices (-1 = the image). */
  inputs: number[];
  n: number;
  module: ModuleName;
  /** Upstream type name (`models.common.Conv`). */
  type: string;
  /** Constructor arguments after parse_model's rewriting (as printed upstream). */
  args: unknown[];
  params: number;
  outChannels: number;
}

export type GraphNode =
  | { kind: 'block'; info: LayerInfo; module: Block }
  | { kind: 'concat'; info: LayerInfo; module: Concat }
  | { kind: 'detect'; info: LayerInfo; module: Detect };

export interface ParsedModel {
  nodes: GraphNode[];
  nc: number;
  na: number;
  no: number;
}

export interface BuildOptions {
  /** Seed of the weight initialisation (PyTorch default init); random when absent. */
  seed?: number;
  /** 'zeros': no random draws (fast; for counting or when weights are loaded right after). */
  init?: 'random' | 'zeros';
}

/** `math.ceil(x / divisor) * divisor`. */
export function makeDivisible(x: number, divisor: number): number {
  return Math.ceil(x / divisor) * divisor;
}

const CHANNEL_MODULES = new Set<ModuleName>(['nn.Conv2d', 'Conv', 'Bottleneck', 'SPP', 'Focus', 'BottleneckCSP', 'InvertedResidual']);

export function parseModel(cfg: ModelConfig, options: BuildOptions = {}): ParsedModel {
  const { nc, depth_multiple: gd, width_multiple: gw } = cfg;
  const anchors = cfg.anchors;
  const na = anchors[0].length / 2;
  const no = na * (nc + 5);
  const rng: Rng | null = options.init === 'zeros' ? null : options.seed === undefined ? Math.random : createRng(options.seed);
  const specs = [...cfg.backbone, ...cfg.head];
  const ch: number[] = []; // output channels per layer, as the config's widths say (structure)
  // Actual output channels per layer: `ch` unless the config carries pruned widths (`channels`).
  const actual: number[] = [];
  const overrides = cfg.channels ? new ChannelOverrides(cfg.channels) : undefined;
  const nodes: GraphNode[] = [];
  const names: Record<string, ExprValue> = { nc, na, no, anchors, gd, gw };

  specs.forEach(([fromSpec, nSpec, moduleName, rawArgs], i) => {
    const where = `layer ${i} (${moduleName})`;
    if (!(moduleName in MODULE_TYPES)) {
      throw new ModelConfigError(`${where}: unknown module '${moduleName}' (known: ${Object.keys(MODULE_TYPES).join(', ')})`);
    }
    const m = moduleName as ModuleName;
    const args: unknown[] = rawArgs.map((a) => (typeof a === 'string' ? evaluateArg(a, names) : a));
    const resolve = (f: number): number => {
      const abs = f < 0 ? i + f : f;
      if (!Number.isInteger(f) || abs >= i || abs < -1 || (f >= 0 && abs < 0) || (abs === -1 && f !== -1)) {
        throw new ModelConfigError(`${where}: 'from' index ${f} does not refer to an earlier layer (use -1 for the previous one, 0..${i - 1} or -1..-${i})`);
      }
      return abs;
    };
    const chOf = (abs: number) => (abs === -1 ? 3 : ch[abs]);
    const actualOf = (abs: number) => (abs === -1 ? 3 : actual[abs]);
    let out: number | undefined;
    let from: number | number[] = fromSpec;
    let n = nSpec > 1 ? Math.max(pyRoundHalfEven(nSpec * gd), 1) : nSpec;
    let c2: number;
    let finalArgs: unknown[];
    let inputs: number[];

    if (CHANNEL_MODULES.has(m)) {
      if (Array.isArray(from)) throw new ModelConfigError(`${where}: takes one input, 'from' is [${from.join(', ')}]`);
      inputs = [resolve(from)];
      const c1 = chOf(inputs[0]);
      const wanted = args[0];
      if (typeof wanted !== 'number' || !Number.isInteger(wanted) || wanted <= 0) {
        throw new ModelConfigError(`${where}: first argument must be the output channel count, got ${JSON.stringify(rawArgs[0])}`);
      }
      if (m === 'Focus') c2 = makeDivisible(32 * gw, gw === 0.1 ? 4 : 8);
      else if (m === 'InvertedResidual') c2 = makeDivisible(wanted * gw, gw === 0.1 ? 4 : 8);
      else c2 = wanted !== no ? makeDivisible(wanted * gw, 8) : wanted;
      finalArgs = [c1, c2, ...args.slice(1)];
      if (m === 'BottleneckCSP') {
        finalArgs.splice(2, 0, n);
        n = 1;
      }
    } else if (m === 'Concat') {
      const list = Array.isArray(from) ? from : [from];
      inputs = list.map(resolve);
      c2 = inputs.reduce((a, j) => a + chOf(j), 0);
      out = inputs.reduce((a, j) => a + actualOf(j), 0);
      finalArgs = args;
    } else if (m === 'Detect') {
      const list = Array.isArray(from) ? from : [from];
      if (list.length === 0) {
        // upstream: every layer so far whose output has na·(nc+5) channels, reversed, the last as -1.
        list.push(...ch.map((c, j) => (c === no ? (j === i - 1 ? -1 : j) : null)).filter((j): j is number => j !== null).reverse());
        from = list;
      }
      inputs = list.map(resolve);
      inputs.forEach((j, k) => {
        if (chOf(j) !== no || actualOf(j) !== no) {
          throw new ModelConfigError(`${where}: input ${k} (layer ${j}) has ${actualOf(j)} channels, Detect needs na·(nc+5) = ${na}·(${nc}+5) = ${no}`);
        }
      });
      if (inputs.length !== anchors.length) {
        throw new ModelConfigError(`${where}: ${inputs.length} inputs but ${anchors.length} anchor levels`);
      }
      c2 = no;
      out = no;
      finalArgs = args;
    } else {
      if (Array.isArray(from)) throw new ModelConfigError(`${where}: takes one input, 'from' is [${from.join(', ')}]`);
      inputs = [resolve(from)];
      c2 = chOf(inputs[0]);
      finalArgs = args;
    }

    const info: LayerInfo = { index: i, from, inputs, n, module: m, type: MODULE_TYPES[m], args: finalArgs, params: 0, outChannels: c2 };
    let node: GraphNode;
    if (m === 'Concat') {
      if ((finalArgs[0] ?? 1) !== 1) throw new ModelConfigError(`${where}: only channel concatenation (dimension 1) is supported`);
      node = { kind: 'concat', info, module: new Concat() };
    } else if (m === 'Detect') {
      if (i !== specs.length - 1) throw new ModelConfigError(`${where}: Detect must be the last layer`);
      const [dnc, danchors] = finalArgs;
      if (dnc !== nc || !Array.isArray(danchors)) throw new ModelConfigError(`${where}: arguments must be [nc, anchors]`);
      // upstream runs a 64x64 image through the model and takes 64 / output height; same idea, shapes only.
      const probe = 256;
      const shapes = traceShapes(nodes, [1, probe, probe, 3], { fused: false, macs: 0, params: 0 });
      const strides = inputs.map((j) => probe / shapes[j][1]);
      node = { kind: 'detect', info, module: new Detect(nc, danchors as number[][], strides) };
    } else {
      // n > 1 repeats the block (nn.Sequential); with pruned widths each repeat has its own.
      const blocks: Block[] = [];
      let cin = actualOf(inputs[0]);
      for (let k = 0; k < n; k++) {
        const built = createBlock(m, finalArgs, rng, where, { c1: cin, path: n > 1 ? `model.${i}.${k}` : `model.${i}`, overrides });
        blocks.push(built.block);
        cin = built.out;
      }
      node = { kind: 'block', info, module: n > 1 ? new Sequential(blocks) : blocks[0] };
      out = cin;
      if (overrides && CHANNEL_MODULES.has(m)) info.args = [actualOf(inputs[0]), out, ...finalArgs.slice(2)];
    }
    info.outChannels = out ?? c2;
    info.params = (node.module as Module).numParameters();
    nodes.push(node);
    ch.push(c2);
    actual.push(info.outChannels);
  });
  overrides?.checkAllUsed();
  const last = nodes[nodes.length - 1];
  if (last.kind !== 'detect') throw new ModelConfigError(`layer ${nodes.length - 1}: the last layer must be Detect`);
  return { nodes, nc, na, no };
}

/** Where a block sits and what it actually receives (pruned networks differ from their config's widths). */
interface BlockPlace {
  /** Actual input channels. */
  c1: number;
  /** Module path (`model.4`, or `model.2.1` for a repeat). */
  path: string;
  overrides?: ChannelOverrides;
}

/**
 * Builds one block from parse_model's arguments (the config's widths, which decide the structure) with
 * the actual input channels and any pruned widths; returns it with its actual output channels.
 */
function createBlock(m: ModuleName, args: unknown[], rng: Rng | null, where: string, place: BlockPlace): { block: Block; out: number } {
  const width = (rel: string, dflt: number) => place.overrides?.get(rel ? `${place.path}.${rel}` : place.path, dflt) ?? dflt;
  const c1 = place.c1;
  const int = (k: number, dflt?: number): number => {
    const v = args[k] ?? dflt;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new ModelConfigError(`${where}: argument ${k} must be an integer, got ${JSON.stringify(args[k])}`);
    return v;
  };
  const bool = (k: number, dflt: boolean): boolean => {
    const v = args[k] ?? dflt;
    if (typeof v !== 'boolean') throw new ModelConfigError(`${where}: argument ${k} must be True/False, got ${JSON.stringify(args[k])}`);
    return v;
  };
  const groupsOne = (k: number) => {
    if (args[k] !== undefined && args[k] !== 1) throw new ModelConfigError(`${where}: grouped convolutions (g = ${JSON.stringify(args[k])}) are not supported`);
  };
  switch (m) {
    case 'Conv': {
      groupsOne(4);
      const c2 = width('conv', int(1));
      return { block: new Conv(c1, c2, int(2, 1), int(3, 1), rng, bool(5, true)), out: c2 };
    }
    case 'Focus': {
      const c2 = width('conv.conv', int(1));
      return { block: new Focus(c1, c2, int(2, 1), rng), out: c2 };
    }
    case 'Bottleneck': {
      groupsOne(3);
      const e = typeof args[4] === 'number' ? args[4] : 0.5;
      const shortcut = bool(2, true);
      const c2 = width('cv2.conv', int(1));
      const pruned = { hidden: width('cv1.conv', Math.trunc(int(1) * e)), add: shortcut && int(0) === int(1) };
      return { block: new Bottleneck(c1, c2, shortcut, e, rng, pruned), out: c2 };
    }
    case 'BottleneckCSP': {
      groupsOne(4);
      const e = typeof args[5] === 'number' ? args[5] : 0.5;
      const hidden = Math.trunc(int(1) * e);
      const n = int(2, 1);
      const c2 = width('cv4.conv', int(1));
      const pruned = {
        cv1: width('cv1.conv', hidden),
        cv2: width('cv2', hidden),
        cv3: width('cv3', hidden),
        blocks: Array.from({ length: n }, (_, k) => ({ hidden: width(`m.${k}.cv1.conv`, hidden), out: width(`m.${k}.cv2.conv`, hidden) })),
      };
      return { block: new BottleneckCSP(c1, c2, n, bool(3, true), e, rng, place.overrides ? pruned : undefined), out: c2 };
    }
    case 'SPP': {
      const k = args[2] ?? [5, 9, 13];
      if (!Array.isArray(k) || !k.every((x) => Number.isInteger(x))) throw new ModelConfigError(`${where}: kernel sizes must be a list of integers`);
      const c2 = width('cv2.conv', int(1));
      return { block: new SPP(c1, c2, k as number[], rng, { hidden: width('cv1.conv', Math.floor(int(0) / 2)) }), out: c2 };
    }
    case 'InvertedResidual': {
      const [inp, oup, s, t] = [int(0), int(1), int(2), int(3)];
      const c2 = width(t !== 1 ? 'conv.2' : 'conv.1', oup);
      const pruned = { hidden: t !== 1 ? width('conv.0.0', pyRoundHalfEven(inp * t)) : c1, residual: s === 1 && inp === oup };
      return { block: new InvertedResidual(c1, c2, s, t, rng, pruned), out: c2 };
    }
    case 'nn.Conv2d': {
      if (args[5] !== undefined && args[5] !== 1) throw new ModelConfigError(`${where}: dilation is not supported`);
      // A depthwise conv (groups = channels) follows its input's width.
      const groups = int(6, 1);
      const depthwise = groups !== 1 && groups === int(0);
      const c2 = depthwise ? c1 : width('', int(1));
      const block = new Conv2d(c1, c2, int(2), { stride: int(3, 1), padding: int(4, 0), groups: depthwise ? c1 : groups, bias: bool(7, true), rng });
      return { block, out: c2 };
    }
    case 'nn.Upsample': {
      const [size, , mode] = args;
      if (size !== null && size !== undefined) throw new ModelConfigError(`${where}: only scale_factor upsampling is supported (size must be None)`);
      if ((mode ?? 'nearest') !== 'nearest') throw new ModelConfigError(`${where}: only mode 'nearest' is supported, got ${JSON.stringify(mode)}`);
      return { block: new Upsample(int(1)), out: c1 };
    }
    default:
      throw new ModelConfigError(`${where}: cannot be used as a block`);
  }
}
