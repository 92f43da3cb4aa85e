/**
 * `pnpm --filter @distillery/web bench`: is the runs table still fast with 10,000 runs? Times the
 * runs.list procedure (what one table page costs the server: the page query and the count; model,
 * data and strategy are indexed columns, so no config is read) and runs.facets (the filter choices) on a temporary SQLite database holding 100 runs, then 10,000 (half finished),
 * and prints each query's time and its ratio to the same query at 100 runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type RunStore } from '@distillery/db';
import { parseEnv } from '~/env.ts';
import { createCaller } from '~/server/api/root.ts';
import type { RouterInputs } from '~/trpc/react.tsx';

type ListInput = RouterInputs['runs']['list'];

const QUERIES: Array<[string, ListInput]> = [
  ['first page, newest first', { page: 1, pageSize: 50 }],
  ['deep page (offset ~5000)', { page: 100, pageSize: 50 }],
  ['sort by mAP@.5', { page: 1, pageSize: 50, sort: { field: 'map50', dir: 'desc' } }],
  ['filter done + search', { page: 1, pageSize: 50, filter: { status: ['done'], search: 'run-12' } }],
  ['filter by preset, sort by FLOPs', { page: 1, pageSize: 50, filter: { preset: 'mvocs' }, sort: { field: 'gmacs', dir: 'asc' } }],
  ['filter model + strategy, deep page', { page: 20, pageSize: 50, filter: { model: 'mobile-yolo5s_voc', strategy: 'distill-output' } }],
  ['filter data, sort by strategy', { page: 1, pageSize: 50, filter: { data: 'demo' }, sort: { field: 'strategy', dir: 'asc' } }],
  ['sort by model', { page: 1, pageSize: 50, sort: { field: 'model', dir: 'asc' } }],
];
const FACETS = 'runs.facets (filter choices)';

async function fill(store: RunStore, count: number): Promise<void> {
  const presets = ['mvocs', 'vocs', 'dmvocs', 'smvocs'];
  for (let i = 0; i < count; i++) {
    const preset = presets[i % presets.length]!;
    const config = {
      model: i % 3 === 0 ? 'yolov5s' : 'mobile-yolo5s_voc',
      data: i % 5 === 0 ? 'voc.yaml' : 'demo',
      img: 320,
      epochs: 5,
      preset,
      strategies: i % 4 === 2 ? [{ kind: 'distill-output', teacher: 't' }] : [],
    };
    const run = await store.createRun({ name: `run-${i}`, preset, config, enqueue: i % 2 === 1 });
    if (i % 2 === 0) {
      await store.claimRun(run.id, 'bench', { leaseMs: 60_000, host: 'bench' });
      await store.finishRun(run.id, 'bench', { precision: 0.5, recall: 0.6, map50: (i % 997) / 997, map5095: 0.3, params: 3_600_000, gmacs: 1 + (i % 13), img: 320 });
    }
  }
}

async function timeQueries(count: number): Promise<Map<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-bench-'));
  const store = await openDatabase({ url: `sqlite:${path.join(dir, 'distillery.db')}` });
  const t0 = performance.now();
  await fill(store, count);
  console.log(`${count} runs inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const caller = createCaller({ store, env: parseEnv({ DISTILLERY_HOME: dir }), headers: new Headers() });
  const out = new Map<string, number>();
  for (const [label, input] of QUERIES) {
    for (let w = 0; w < 3; w++) await caller.runs.list(input); // warm-up
    const reps = 10;
    const start = performance.now();
    for (let r = 0; r < reps; r++) await caller.runs.list(input);
    out.set(label, (performance.now() - start) / reps);
  }
  for (let w = 0; w < 3; w++) await caller.runs.facets();
  const start = performance.now();
  for (let r = 0; r < 10; r++) await caller.runs.facets();
  out.set(FACETS, (performance.now() - start) / 10);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

const small = await timeQueries(100);
const large = await timeQueries(10_000);
console.log('\nruns.list, ms per call (10 calls each):');
console.log(`${'query'.padEnd(34)} ${'100 runs'.padStart(9)} ${'10k runs'.padStart(9)} ${'ratio'.padStart(7)}`);
for (const label of [...QUERIES.map(([l]) => l), FACETS]) {
  const a = small.get(label)!;
  const b = large.get(label)!;
  console.log(`${label.padEnd(34)} ${a.toFixed(2).padStart(9)} ${b.toFixed(2).padStart(9)} ${(b / a).toFixed(1).padStart(6)}x`);
}
