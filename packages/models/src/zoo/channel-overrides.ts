/**
 * `channels:` in a model config — the widths of a pruned network (network slimming). Each entry is the
 * output channel count of the plain (not depthwise) conv at that module path (`model.18.cv1.conv: 132`,
 * `model.2.conv.0.0: 25`, `model.18.cv3: 120`); everything else follows: BNs and depthwise convs take the
 * width of their input, the next layer's input is the previous layer's output. The block structure
 * (residual adds, expansion, shortcuts) stays that of the config's own widths, so a pruned config builds
 * the same graph with fewer channels. A key no layer reads is an error (a typo must not pass silently).
 */
import { ModelConfigError } from './config.ts';

export class ChannelOverrides {
  private readonly used = new Set<string>();
  constructor(private readonly map: Readonly<Record<string, number>>) {}

  /** The width at `path`, or `dflt` when the config does not set it. */
  get(path: string, dflt: number): number {
    const v = this.map[path];
    if (v === undefined) return dflt;
    this.used.add(path);
    return v;
  }

  /** Throws naming every key that matched no conv. */
  checkAllUsed(source = 'model config'): void {
    const unused = Object.keys(this.map).filter((k) => !this.used.has(k));
    if (unused.length) {
      throw new ModelConfigError(`${source}: channels: ${unused.map((k) => `'${k}'`).join(', ')} ${unused.length === 1 ? 'is' : 'are'} not the path of a plain conv of this model`);
    }
  }
}
