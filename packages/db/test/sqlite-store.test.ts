import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/index.ts';
import { dependencyContract } from './dependency-contract.ts';
import { storeContract } from './store-contract.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-db-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;

describe('SQLite RunStore', () => {
  storeContract(() => openDatabase({ url: `sqlite:${path.join(tmp, `t${n++}.db`)}` }));
  dependencyContract(async () => {
    const url = `sqlite:${path.join(tmp, `t${n++}.db`)}`;
    return [await openDatabase({ url }), await openDatabase({ url })];
  });

  it('lives in DISTILLERY_HOME (home option) in WAL mode, migrated on open', async () => {
    const home = path.join(tmp, 'home');
    const store = await openDatabase({ home, url: undefined });
    expect(store.dialect).toBe('sqlite');
    expect(store.location).toBe(path.join(home, 'distillery.db'));
    await store.close();
    const raw = new Database(store.location, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = raw.prepare("select name from sqlite_master where type='table'").all() as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['runs', 'epochs', 'results', 'artifacts', 'run_queue']));
    raw.close();
    // reopening applies no migration twice
    await (await openDatabase({ home })).close();
  });

  it('lists 10,000 runs a page at a time through indexes', async () => {
    const store = await openDatabase({ url: `sqlite:${path.join(tmp, 'big.db')}` });
    const raw = new Database(store.location);
    const insert = raw.prepare(
      "insert into runs (id, name, config, status, epochs_planned, created_at, updated_at, model, strategy) values (?, ?, '{}', ?, 1, ?, ?, ?, ?)",
    );
    const statuses = ['queued', 'running', 'interrupted', 'failed', 'done'];
    const strategies = ['baseline', 'distill-output', 'distill-feature', 'sparsity'];
    raw.transaction(() => {
      for (let i = 0; i < 10_000; i++) insert.run(`r${i}`, `run-${i}`, statuses[i % 5], i, i, `m${i % 3}`, strategies[i % 4]);
    })();
    const plan = raw
      .prepare("explain query plan select * from runs where status = 'done' order by created_at desc limit 50")
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX/);
    // A facet filter in the default order walks that facet's (value, created_at) index: no sort step.
    for (const column of ['model', 'data', 'img', 'epochs', 'strategy']) {
      const facetPlan = raw
        .prepare(`explain query plan select * from runs where ${column} = 1 order by created_at desc limit 50`)
        .all() as { detail: string }[];
      const detail = facetPlan.map((p) => p.detail).join(' ');
      expect(detail).toContain(`USING INDEX runs_${column}_idx`);
      expect(detail).not.toMatch(/TEMP B-TREE/);
    }
    raw.close();
    const page = await store.listRuns({ page: 3, pageSize: 50, filter: { status: ['done'] } });
    expect(page.total).toBe(2000);
    expect(page.rows).toHaveLength(50);
    expect(page.rows[0].createdAt).toBe(9999 - 5 * 100); // done = i % 5 == 4, newest first, 100 rows skipped
    const facet = await store.listRuns({ page: 2, pageSize: 50, filter: { model: 'm1', strategy: 'sparsity' } });
    expect(facet.total).toBe(Math.floor((9999 - 7) / 12) + 1); // i ≡ 1 (mod 3) and i ≡ 3 (mod 4): i ≡ 7 (mod 12)
    expect(facet.rows.map((r) => r.createdAt).slice(0, 2)).toEqual([9991 - 12 * 50, 9991 - 12 * 51]);
    expect((await store.runFacetValues()).strategy.map((f) => f.count)).toEqual([2500, 2500, 2500, 2500]);
    await store.close();
  });
});
