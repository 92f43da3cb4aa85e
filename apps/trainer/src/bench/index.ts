/**
 * `pnpm bench <name> [...args]`: runs the benchmark in `./<name>.ts`, which exports
 * `run(args: string[]): Promise<void>`. No registration: a new bench is a new file here.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../errors.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Bench names: every `<name>.ts` next to this file except the dispatcher itself and tests. */
export function availableBenches(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

interface BenchModule {
  run?: unknown;
}

export async function dispatch(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const available = availableBenches();
  if (name === undefined || name === '--help' || name === '-h') {
    process.stderr.write(`usage: pnpm bench <name> [args]; available benches: ${available.join(', ')}\n`);
    return name === undefined ? 2 : 0;
  }
  if (!available.includes(name)) {
    process.stderr.write(`unknown bench "${name}"; available benches: ${available.join(', ')}\n`);
    return 2;
  }
  const module = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as BenchModule;
  if (typeof module.run !== 'function') {
    process.stderr.write(`bench "${name}" (src/bench/${name}.ts) does not export run(args: string[])\n`);
    return 2;
  }
  await (module.run as (args: string[]) => Promise<void>)(args);
  return 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  dispatch(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
