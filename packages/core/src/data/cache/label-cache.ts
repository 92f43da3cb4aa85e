/**
 * Label cache: the parsed labels of one image set / json / list, stored as JSON next to the labels and
 * keyed by a hash of the reader settings plus every file's path, size and mtime. The second epoch (and
 * every worker thread) then reads one JSON file instead of re-parsing thousands of XML files.
 * When the data-set folder is read-only, the cache goes to `cacheDir` (default: the OS temp folder).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ReadResult } from '../readers/types.ts';
import { mapLimit } from '../readers/map-limit.ts';

export interface CacheSpec {
  /** Preferred location, next to the labels. */
  cacheFile: string;
  /** Reader settings that change the parse result (names, flags, reader version). */
  key: unknown;
  /** Every file the result depends on. */
  files: string[];
  cacheDir?: string;
}

interface CacheContent<T> {
  hash: string;
  value: T;
}

export async function filesHash(key: unknown, files: string[]): Promise<string> {
  const h = createHash('sha256').update(JSON.stringify(key));
  const stats = await mapLimit(files, 64, async (f) => {
    try {
      const s = await stat(f);
      return `${f}\t${s.size}\t${s.mtimeMs}`;
    } catch {
      return `${f}\tmissing`;
    }
  });
  for (const s of stats) h.update(s).update('\n');
  return h.digest('hex');
}

export function fallbackCacheFile(cacheFile: string, cacheDir?: string): string {
  const dir = cacheDir ?? path.join(os.tmpdir(), 'distillery-label-cache');
  const id = createHash('sha1').update(path.resolve(cacheFile)).digest('hex').slice(0, 16);
  return path.join(dir, `${path.basename(cacheFile, '.json')}-${id}.json`);
}

async function tryRead<T>(file: string, hash: string): Promise<T | undefined> {
  try {
    const c = JSON.parse(await readFile(file, 'utf8')) as CacheContent<T>;
    return c.hash === hash ? c.value : undefined;
  } catch {
    return undefined; // absent or corrupt: rebuild
  }
}

/**
 * A folder whose permission bits grant nobody write access is treated as read-only even when the
 * process could write there anyway (root): a shared, read-only data set must stay untouched.
 */
async function writableFolder(dir: string): Promise<boolean> {
  try {
    return ((await stat(dir)).mode & 0o222) !== 0;
  } catch {
    return true; // not there yet: mkdir decides
  }
}

async function tryWrite<T>(file: string, content: CacheContent<T>): Promise<boolean> {
  try {
    if (!(await writableFolder(path.dirname(file)))) return false;
    await mkdir(path.dirname(file), { recursive: true });
    // write-then-rename so a concurrent reader (another worker) never sees half a file
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, JSON.stringify(content));
    await rename(tmp, file);
    return true;
  } catch {
    return false;
  }
}

export async function cachedRead<T extends ReadResult>(spec: CacheSpec, build: () => Promise<T>): Promise<T & { fromCache: boolean }> {
  const hash = await filesHash(spec.key, spec.files);
  const fallback = fallbackCacheFile(spec.cacheFile, spec.cacheDir);
  const candidates = spec.cacheDir ? [fallback, spec.cacheFile] : [spec.cacheFile, fallback];
  for (const f of candidates) {
    const hit = await tryRead<T>(f, hash);
    if (hit) return { ...hit, fromCache: true };
  }
  const result = await build();
  const content: CacheContent<T> = { hash, value: result };
  if (!(await tryWrite(candidates[0], content))) await tryWrite(candidates[1], content);
  return { ...result, fromCache: false };
}
