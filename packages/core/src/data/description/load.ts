/**
 * Reading a data-set description file (YAML or JSON). Two forms are accepted:
 * - ours: `{format: voc|coco|yolo, root, names, splits}` (see schema.ts);
 * - an Ultralytics data YAML like upstream `data/voc.yaml` (`train`, `val`, `nc`, `names`), read as YOLO txt.
 * Relative roots resolve against the file's folder (not the process cwd, so a description can move with
 * its data).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { DataError } from '../errors.ts';
import {
  DatasetDescriptionSchema,
  UltralyticsDataYamlSchema,
  type DatasetDescription,
} from './schema.ts';

export async function loadDatasetDescription(file: string): Promise<DatasetDescription> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new DataError(file, `cannot read the data-set description (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new DataError(file, `malformed ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  const d = parseDatasetDescription(raw, file, path.dirname(path.resolve(file)));
  try {
    if (!(await stat(d.root)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new DataError(file, `data-set root folder ${d.root} does not exist`);
  }
  return d;
}

/** Validates a description object; `root` becomes absolute (relative to `baseDir`). */
export function parseDatasetDescription(raw: unknown, source: string, baseDir: string): DatasetDescription {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DataError(source, 'a data-set description must be a mapping (format/root/names/splits or train/val/nc/names)');
  }
  const obj = raw as Record<string, unknown>;
  const input = !('format' in obj) && 'train' in obj ? fromUltralytics(obj, source) : obj;
  const result = DatasetDescriptionSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DataError(source, `invalid data-set description: ${lines.join('; ')}`);
  }
  const d = result.data;
  if (Object.keys(d.splits).length === 0) throw new DataError(source, 'the description lists no splits');
  return { ...d, root: path.resolve(baseDir, d.root) };
}

function fromUltralytics(obj: Record<string, unknown>, source: string): unknown {
  const r = UltralyticsDataYamlSchema.safeParse(obj);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DataError(source, `invalid data YAML: ${lines.join('; ')}`);
  }
  const y = r.data;
  const names = Array.isArray(y.names)
    ? y.names
    : Object.entries(y.names)
        .sort((a, b) => Number(a[0]) - Number(b[0]))
        .map(([, v]) => v);
  if (y.nc !== undefined && y.nc !== names.length) {
    throw new DataError(source, `nc is ${y.nc} but names lists ${names.length} classes`);
  }
  const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
  const splits: Record<string, string[]> = { train: list(y.train) };
  if (y.val) splits.val = list(y.val);
  if (y.test) splits.test = list(y.test);
  return { format: 'yolo', root: y.path ?? '.', names, splits };
}
