/**
 * PyTorch's `model.modules()` order for a model built from contract 1's Module tree.
 *
 * Upstream selects the prunable BN layers by their position in `model.modules()` (train.py and
 * pruning.py skip indices 230, 260, 290). That walk also visits PyTorch's parameterless submodules,
 * which the tfjs module tree does not hold: the activation of every `Conv` (LeakyReLU, or Identity
 * without activation) and `BottleneckCSP`, the ReLU6 of `ConvBNReLU`, SPP's ModuleList of MaxPool2d.
 * They are inserted here as placeholders, in upstream's registration order, unless the tree already
 * holds a child of that name — so the indices are upstream's.
 */
import { BottleneckCSP, BatchNorm2d, Conv, ConvBNReLU, SPP, type Module } from '@distillery/models';
import { selectPrunableBatchNorms } from '../../loss/sparsity.ts';

/** A parameterless upstream submodule absent from the tfjs tree. */
export interface TorchPlaceholder {
  readonly placeholder: string;
}

export type UpstreamModule = Module | TorchPlaceholder;

interface Implicit {
  /** Inserted after the subtree of this child. */
  after: string;
  name: string;
  type: string;
  /** Children of the placeholder (SPP's MaxPool2d list). */
  children?: (m: Module) => string[];
}

function implicitChildren(m: Module): Implicit[] {
  if (m instanceof Conv) return [{ after: 'bn', name: 'act', type: 'LeakyReLU' }];
  if (m instanceof BottleneckCSP) return [{ after: 'bn', name: 'act', type: 'LeakyReLU' }];
  if (m instanceof ConvBNReLU) return [{ after: '1', name: '2', type: 'ReLU6' }];
  if (m instanceof SPP) {
    return [
      {
        after: 'cv2',
        name: 'm',
        type: 'ModuleList',
        children: (s) => (s as SPP).kernels.map(() => 'MaxPool2d'),
      },
    ];
  }
  return [];
}

/** Every module, root first, in upstream `model.modules()` order (placeholders for PyTorch-only ones). */
export function upstreamModuleOrder(root: Module): Array<[string, UpstreamModule]> {
  const out: Array<[string, UpstreamModule]> = [];
  const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);
  const walk = (prefix: string, m: Module) => {
    out.push([prefix, m]);
    const kids = m.children();
    const real = new Set(kids.map(([n]) => n));
    const implicit = implicitChildren(m).filter((i) => !real.has(i.name));
    const emitImplicit = (after: string) => {
      for (const i of implicit.filter((x) => x.after === after)) {
        const name = join(prefix, i.name);
        out.push([name, { placeholder: i.type }]);
        (i.children?.(m) ?? []).forEach((type, k) => out.push([`${name}.${k}`, { placeholder: type }]));
      }
    };
    for (const [name, child] of kids) {
      walk(join(prefix, name), child);
      emitImplicit(name);
    }
  };
  walk('', root);
  return out;
}

/**
 * The BN layers the sparsity loss and pruning act on: every BatchNorm2d of the model except those at
 * upstream `modules()` index 230, 260 or 290.
 */
export function prunableBatchNorms(model: Module): Array<[string, BatchNorm2d]> {
  const order = upstreamModuleOrder(model);
  return selectPrunableBatchNorms(order, (m) => m instanceof BatchNorm2d) as Array<[string, BatchNorm2d]>;
}
