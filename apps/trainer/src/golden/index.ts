/**
 * `pnpm trainer golden DIR`: every area's golden checker against upstream reference data. Each area
 * exports `(dir) => Promise<GoldenCheck[]>` from `./<area>.ts` (named `check<Area>` or default). The
 * list below is kept by hand (a new area: add its name); an area whose module has not landed yet is
 * reported as one skipped check instead of breaking the others.
 */
import fs from 'node:fs';
import { skipped, type GoldenCheck } from './types.ts';

export const GOLDEN_AREAS = ['models', 'eval', 'loss', 'pruning'] as const;

type Checker = (dir: string) => Promise<GoldenCheck[]>;

async function loadChecker(area: string): Promise<Checker | null> {
  const url = new URL(`./${area}.ts`, import.meta.url);
  if (!fs.existsSync(url)) return null;
  const mod = (await import(url.href)) as Record<string, unknown>;
  const named = `check${area[0].toUpperCase()}${area.slice(1)}`;
  const fn = mod[named] ?? mod['default'] ?? Object.values(mod).find((v) => typeof v === 'function');
  return typeof fn === 'function' ? (fn as Checker) : null;
}

export interface GoldenReport {
  ok: boolean;
  checks: GoldenCheck[];
}

export async function runGolden(dir: string, areas: readonly string[] = GOLDEN_AREAS): Promise<GoldenReport> {
  const checks: GoldenCheck[] = [];
  for (const area of areas) {
    const checker = await loadChecker(area);
    if (!checker) {
      checks.push(skipped(`${area}/checker`, `no golden checker for "${area}" yet (src/golden/${area}.ts)`));
      continue;
    }
    try {
      checks.push(...(await checker(dir)));
    } catch (error) {
      // One area failing must not hide the others' results.
      checks.push({ name: `${area}/checker`, err: Number.NaN, tol: 0, ok: false, detail: `threw: ${(error as Error).message}` });
    }
  }
  return { ok: checks.length > 0 && checks.every((c) => c.ok), checks };
}
