/** Flattens a config to dotted keys (`hyp.lr0`), arrays as JSON, for a side-by-side diff. */
export function flatten(value: unknown, prefix = ''): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) Object.assign(out, flatten(v, prefix ? `${prefix}.${k}` : k));
    return out;
  }
  return { [prefix]: value === undefined ? '' : JSON.stringify(value) };
}

export interface DiffRow {
  key: string;
  values: string[];
  differs: boolean;
}

/** One row per config key, in key order; `differs` when not every run has the same value. */
export function configDiff(configs: unknown[]): DiffRow[] {
  const flat = configs.map((c) => flatten(c));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return keys.map((key) => {
    const values = flat.map((f) => f[key] ?? '');
    return { key, values, differs: new Set(values).size > 1 };
  });
}
