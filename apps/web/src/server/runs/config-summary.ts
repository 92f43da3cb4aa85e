/**
 * The few config facts the runs table shows (model, data set, image size, epochs, strategy), read
 * from a run's stored config JSON. Tolerant: an old or odd config shows "?" rather than failing.
 */
export interface ConfigSummary {
  model: string;
  data: string;
  img: number | null;
  epochs: number | null;
  strategy: string;
  teacher: string | null;
}

function str(v: unknown, fallback = '?'): string {
  return typeof v === 'string' && v.length > 0 ? v : fallback;
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** "baseline", "distill-output", "distill-feature (conv)", "sparsity", "prune threshold 0.01"... joined by " + ". */
export function strategyLabel(config: Record<string, unknown>): string {
  const parts: string[] = [];
  const strategies = Array.isArray(config.strategies) ? (config.strategies as Array<Record<string, unknown>>) : [];
  for (const s of strategies) {
    if (s === null || typeof s !== 'object') continue;
    const kind = str(s.kind);
    parts.push(kind === 'distill-feature' && typeof s.converter === 'string' ? `${kind} (${s.converter})` : kind);
  }
  const prune = config.prune as Record<string, unknown> | undefined;
  if (prune && typeof prune === 'object') {
    const value = prune.mode === 'ratio' ? prune.ratio : prune.threshold;
    parts.push(`prune ${str(prune.mode)} ${String(value)}`);
  }
  return parts.length > 0 ? parts.join(' + ') : 'baseline';
}

export function configSummary(config: Record<string, unknown> | null | undefined): ConfigSummary {
  const c = config ?? {};
  const strategies = Array.isArray(c.strategies) ? (c.strategies as Array<Record<string, unknown>>) : [];
  const teacher = strategies.find((s) => s && typeof s === 'object' && typeof s.teacher === 'string')?.teacher;
  return {
    model: str(c.model),
    data: str(c.data),
    img: num(c.img),
    epochs: num(c.epochs),
    strategy: strategyLabel(c),
    teacher: typeof teacher === 'string' ? teacher : null,
  };
}

/** Wall-clock seconds a run took (or has taken so far). */
export function durationSeconds(run: { startedAt: number | null; finishedAt: number | null; status: string }, now = Date.now()): number | null {
  if (run.startedAt === null) return null;
  const end = run.finishedAt ?? (run.status === 'running' ? now : null);
  return end === null ? null : Math.max(0, (end - run.startedAt) / 1000);
}
