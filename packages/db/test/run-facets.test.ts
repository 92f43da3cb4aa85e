import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, runFacets, strategyOf } from '../src/index.ts';
import { BACKFILL_CONFIGS, backfillSql, expectedFacets } from './facet-backfill.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-facets-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('run facets', () => {
  it('reads model, data, img, epochs and a strategy label from a config, tolerating odd values', () => {
    expect(runFacets({ model: 'm', data: 'd', img: 320, epochs: 3 })).toEqual({ model: 'm', data: 'd', img: 320, epochs: 3, strategy: 'baseline' });
    expect(runFacets({ model: '', data: 1, img: 3.5, epochs: '3' })).toEqual({ model: null, data: null, img: null, epochs: null, strategy: 'baseline' });
    expect(strategyOf({ strategies: [{ kind: 'distill-output' }] })).toBe('distill-output');
    expect(strategyOf({ strategies: [{ kind: 'sparsity' }] })).toBe('sparsity');
    expect(strategyOf({ prune: { mode: 'ratio', ratio: 0.3 } })).toBe('prune');
    expect(strategyOf({ strategies: [{ kind: 'distill-feature' }], prune: { mode: 'ratio', ratio: 0.3 } })).toBe('distill-feature+prune');
  });

  it('the SQLite backfill migration gives old runs the same facets as createRun', async () => {
    const store = await openDatabase({ url: `sqlite:${path.join(tmp, 'backfill.db')}` });
    await store.close();
    const raw = new Database(path.join(tmp, 'backfill.db'));
    const insert = raw.prepare("insert into runs (id, name, config, status, epochs_planned, created_at, updated_at) values (?, 'old', ?, 'done', 1, ?, ?)");
    BACKFILL_CONFIGS.forEach((c, i) => insert.run(`old${i}`, JSON.stringify(c), i, i));
    raw.exec(backfillSql('sqlite'));
    const rows = raw.prepare('select model, data, img, epochs, strategy from runs order by created_at').all();
    raw.close();
    expect(rows).toEqual(expectedFacets());
  });
});
