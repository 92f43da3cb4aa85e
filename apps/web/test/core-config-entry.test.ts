/**
 * The dashboard imports run configs, presets, studies and reference tables from
 * `@distillery/core/config`, which must not load tfjs (the server would register every kernel and
 * the launch form would ship tfjs to the browser). Walks that entry's runtime import graph.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const coreSrc = fileURLToPath(new URL('../../../packages/core/src/', import.meta.url));

/** Runtime (not type-only) import/export specifiers of a TypeScript file. */
function runtimeSpecifiers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*['"]([^'"]+)['"]/gms;
  for (const m of text.matchAll(re)) if (!m[2]) out.push(m[4]!);
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

function importGraph(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.includes(file)) continue;
    files.push(file);
    for (const spec of runtimeSpecifiers(file)) {
      if (spec.startsWith('.')) todo.push(path.resolve(path.dirname(file), spec));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return { files, packages };
}

describe('@distillery/core/config', () => {
  it('is a package export whose import graph has no tfjs and no models package', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(coreSrc, '../package.json'), 'utf8')) as { exports: Record<string, string> };
    expect(pkg.exports['./config']).toBe('./src/config.ts');
    const { files, packages } = importGraph(path.join(coreSrc, 'config.ts'));
    // the schema, presets, studies and reference tables are all reached
    for (const part of ['config/run-config.ts', 'presets/resolve-preset.ts', 'studies/study.ts', 'reference/match.ts'])
      expect(files.map((f) => path.relative(coreSrc, f))).toContain(part);
    expect([...packages].filter((p) => p.startsWith('@tensorflow') || p === '@distillery/models' || p.startsWith('node:'))).toEqual([]);
  });

  it('serves the launch schema and presets without loading tfjs', async () => {
    const config = await import('@distillery/core/config');
    expect(config.RunConfigSchema.parse({}).model).toBe('mobile-yolo5s_voc');
    expect(Object.keys(config.UPSTREAM_PRESETS).length).toBeGreaterThan(0);
    expect(Object.keys(globalThis).some((k) => k.startsWith('_tfengine'))).toBe(false);
  });
});
