/** Resolves the run config's `data` field: `demo` (the generated set) or a description file path. */
import path from 'node:path';
import type { DatasetDescription } from './schema.ts';
import { loadDatasetDescription } from './load.ts';
import { ensureDemoDataset, type DemoOptions } from '../demo/generate.ts';

export async function resolveDataset(
  data: string,
  opts: { demoDir: string; demo?: DemoOptions; cwd?: string },
): Promise<DatasetDescription> {
  if (data === 'demo') return ensureDemoDataset(opts.demoDir, opts.demo);
  return loadDatasetDescription(path.resolve(opts.cwd ?? process.cwd(), data));
}
