/** Running means of the loss items over an epoch (upstream's `mloss`), resumable from plain sums. */
import type { StepLosses } from './gradient-step.ts';

export class LossMeter {
  private sums: Record<string, number>;
  private n: number;

  constructor(sums: Record<string, number> = {}, n = 0) {
    this.sums = { ...sums };
    this.n = n;
  }

  add(l: StepLosses): void {
    this.n++;
    const put = (k: string, v: number) => (this.sums[k] = (this.sums[k] ?? 0) + v);
    put('lbox', l.lbox);
    put('lobj', l.lobj);
    put('lcls', l.lcls);
    put('total', l.lbox + l.lobj + l.lcls);
    for (const [k, v] of Object.entries(l.extra)) put(k, v);
  }

  mean(k: string): number {
    return this.n ? (this.sums[k] ?? 0) / this.n : 0;
  }

  has(k: string): boolean {
    return k in this.sums;
  }

  get count(): number {
    return this.n;
  }

  snapshot(): Record<string, number> {
    return { ...this.sums, __n: this.n };
  }

  static restore(s: Record<string, number> | undefined): LossMeter {
    if (!s) return new LossMeter();
    const { __n, ...sums } = s;
    return new LossMeter(sums, __n ?? 0);
  }
}
