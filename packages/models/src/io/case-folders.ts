/**
 * Finding golden case folders (Node only): reference data sets are recognised by the files a folder
 * holds, never by folder names, so every golden reader walks the tree the same way.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Folders under `root` (itself included, down to `maxDepth` levels below it) for which
 * `isCase(dir, names)` holds — `names` are the folder's entries — in pre-order with each folder's
 * entries sorted. Unreadable folders and entries are skipped; links to folders are followed.
 */
export function findCaseFolders(
  root: string,
  isCase: (dir: string, names: readonly string[]) => boolean,
  maxDepth: number,
): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    if (isCase(dir, names)) out.push(dir);
    if (depth >= maxDepth) return;
    for (const n of names) {
      const p = path.join(dir, n);
      try {
        if (statSync(p).isDirectory()) walk(p, depth + 1);
      } catch {
        // unreadable entry: not a case
      }
    }
  };
  walk(root, 0);
  return out;
}
