import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCaseFolders } from '../src/io/case-folders.ts';

const root = mkdtempSync(path.join(tmpdir(), 'case-folders-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
for (const dir of ['b/x', 'a/deep/er', 'a-c']) mkdirSync(path.join(root, dir), { recursive: true });
for (const dir of ['b/x', 'a/deep/er', 'a-c', '.']) writeFileSync(path.join(root, dir, 'meta.json'), '{}');
writeFileSync(path.join(root, 'b', 'meta.json.txt'), '');

describe('findCaseFolders', () => {
  const hasMeta = (_dir: string, names: readonly string[]) => names.includes('meta.json');

  it('finds the folders holding the files, root included, in pre-order with sorted entries', () => {
    const rel = (dirs: string[]) => dirs.map((d) => path.relative(root, d));
    expect(rel(findCaseFolders(root, hasMeta, 7))).toEqual(['', path.join('a', 'deep', 'er'), 'a-c', path.join('b', 'x')]);
  });

  it('goes no deeper than maxDepth levels below the root', () => {
    expect(findCaseFolders(root, hasMeta, 1).map((d) => path.relative(root, d))).toEqual(['', 'a-c']);
    expect(findCaseFolders(path.join(root, 'missing'), hasMeta, 7)).toEqual([]);
  });
});
