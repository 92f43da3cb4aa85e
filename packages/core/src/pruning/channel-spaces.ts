/**
 * Channel spaces: the channel axis of every tensor in the network, grouped so that pruning a channel
 * removes it everywhere it must go — torch_pruning's dependency graph, stated directly.
 *
 * Element-wise operations (BN, activations, depthwise convs, residual adds, upsampling, max-pooling)
 * do not mix channels, so their inputs and output share ONE space (a union-find class). A plain conv
 * starts a new space for its output. A concatenation is a composite space: its parts laid end to end,
 * so removing position p of the concatenation removes the matching position of one part (and a part
 * that appears twice, as in SPP's `cat(x, pool(x), …)`, loses that channel in every copy).
 */
import { PruneError } from './errors.ts';

interface Leaf {
  kind: 'leaf';
  /** Channels of the unpruned network. */
  size: number;
  /** Original indices still present, ascending. */
  kept: number[];
  /** Why it may not be pruned (a detection head output); undefined = prunable. */
  frozen?: string;
  label: string;
}

interface Composite {
  kind: 'concat';
  parts: number[];
  label: string;
}

export class ChannelSpaces {
  private readonly nodes: Array<Leaf | Composite> = [];
  private readonly parent: number[] = [];

  /** A new space of `size` channels (the output of a plain conv, or the network input). */
  leaf(size: number, label: string): number {
    this.nodes.push({ kind: 'leaf', size, kept: Array.from({ length: size }, (_, i) => i), label });
    this.parent.push(this.nodes.length - 1);
    return this.nodes.length - 1;
  }

  /** The channel concatenation of `parts` (in order). */
  concat(parts: number[], label: string): number {
    this.nodes.push({ kind: 'concat', parts: parts.map((p) => this.find(p)), label });
    this.parent.push(this.nodes.length - 1);
    return this.nodes.length - 1;
  }

  find(id: number): number {
    let r = id;
    while (this.parent[r] !== r) r = this.parent[r];
    while (this.parent[id] !== r) [id, this.parent[id]] = [this.parent[id], r];
    return r;
  }

  /** Two tensors that must keep the same channels (a residual add). */
  same(a: number, b: number, where: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    const na = this.nodes[ra];
    const nb = this.nodes[rb];
    if (na.kind !== 'leaf' || nb.kind !== 'leaf') {
      throw new PruneError(`${where}: a residual add over a concatenation is not supported by the pruner`);
    }
    if (na.size !== nb.size || na.kept.length !== nb.kept.length) {
      throw new PruneError(`${where}: residual add of ${na.kept.length} and ${nb.kept.length} channels`);
    }
    if (nb.frozen) na.frozen ??= nb.frozen;
    this.parent[rb] = ra;
  }

  freeze(id: number, why: string): void {
    const n = this.nodes[this.find(id)];
    if (n.kind === 'leaf') n.frozen = why;
    else n.parts.forEach((p) => this.freeze(p, why));
  }

  /** Whether the space (or a part of it) may not be pruned. */
  isFrozen(id: number): boolean {
    const n = this.nodes[this.find(id)];
    return n.kind === 'leaf' ? n.frozen !== undefined : n.parts.some((p) => this.isFrozen(p));
  }

  /** Channels of the unpruned network. */
  originalSize(id: number): number {
    const n = this.nodes[this.find(id)];
    return n.kind === 'leaf' ? n.size : n.parts.reduce((a, p) => a + this.originalSize(p), 0);
  }

  /** Channels now. */
  size(id: number): number {
    const n = this.nodes[this.find(id)];
    return n.kind === 'leaf' ? n.kept.length : n.parts.reduce((a, p) => a + this.size(p), 0);
  }

  /** Original indices (into the unpruned tensor's channels) still present, in order. */
  kept(id: number): number[] {
    const n = this.nodes[this.find(id)];
    if (n.kind === 'leaf') return [...n.kept];
    const out: number[] = [];
    let offset = 0;
    for (const p of n.parts) {
      for (const k of this.kept(p)) out.push(k + offset);
      offset += this.originalSize(p);
    }
    return out;
  }

  label(id: number): string {
    return this.nodes[this.find(id)].label;
  }

  /**
   * Removes the channels at `positions` (indices into the CURRENT channels) from the space and from
   * everything coupled to it. All positions are resolved before anything is removed.
   */
  remove(id: number, positions: readonly number[]): void {
    const perLeaf = new Map<number, Set<number>>();
    this.collect(id, positions, perLeaf);
    for (const [leafId, drop] of perLeaf) {
      const leaf = this.nodes[leafId] as Leaf;
      if (drop.size === 0) continue;
      if (leaf.frozen) throw new PruneError(`pruning would remove channels of ${leaf.label}, which ${leaf.frozen}`);
      if (drop.size >= leaf.kept.length) {
        throw new PruneError(`pruning would remove every channel of ${leaf.label} (a concatenation input losing all its channels); use a lower ratio or threshold`);
      }
      leaf.kept = leaf.kept.filter((_, i) => !drop.has(i));
    }
  }

  private collect(id: number, positions: readonly number[], acc: Map<number, Set<number>>): void {
    const root = this.find(id);
    const n = this.nodes[root];
    if (n.kind === 'leaf') {
      const set = acc.get(root) ?? new Set<number>();
      for (const p of positions) {
        if (!Number.isInteger(p) || p < 0 || p >= n.kept.length) throw new Error(`channel position ${p} outside ${n.label} (${n.kept.length} channels)`);
        set.add(p);
      }
      acc.set(root, set);
      return;
    }
    let offset = 0;
    for (const part of n.parts) {
      const size = this.size(part);
      const mine = positions.filter((p) => p >= offset && p < offset + size).map((p) => p - offset);
      if (mine.length) this.collect(part, mine, acc);
      offset += size;
    }
  }
}
