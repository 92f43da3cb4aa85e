import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/index.ts';
import { startTestPostgres } from '../src/testing/pg-server.ts';
import { BACKFILL_CONFIGS, backfillSql, expectedFacets } from './facet-backfill.ts';
import { dependencyContract } from './dependency-contract.ts';
import { storeContract } from './store-contract.ts';

const pg = await startTestPostgres();
if (pg.server) console.info(`PostgreSQL RunStore tests on ${pg.server.how}`);
else console.warn(`skipping PostgreSQL RunStore tests: ${pg.reason}`);
afterAll(async () => pg.server?.stop());

describe.skipIf(!pg.server)('PostgreSQL RunStore (team mode, pg-boss queue)', () => {
  const url = pg.server?.url ?? '';
  // Each test gets its own database, so the contract's counts hold.
  let n = 0;
  let lastUrl = '';
  const open = async () => {
    const name = `t${n++}`;
    const admin = await import('postgres').then((m) => m.default(url, { max: 1, onnotice: () => {} }));
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    lastUrl = url.replace(/\/postgres$/, `/${name}`);
    return openDatabase({ url: lastUrl });
  };
  storeContract(open);
  dependencyContract(async () => [await open(), await openDatabase({ url: lastUrl })]);

  it('two stores racing for ten queued runs claim each exactly once', async () => {
    const a = await open();
    const b = await openDatabase({ url: lastUrl });
    const ids = new Set<string>();
    for (let i = 0; i < 10; i++) ids.add((await a.createRun({ name: `r${i}`, config: { epochs: 1 } })).id);
    const claimed: string[] = [];
    const drain = async (store: typeof a, worker: string) => {
      for (;;) {
        const run = await store.claimNextRun(worker, { leaseMs: 60_000 });
        if (!run) return;
        claimed.push(run.id);
      }
    };
    await Promise.all([drain(a, 'wa'), drain(b, 'wb'), drain(a, 'wa2'), drain(b, 'wb2')]);
    expect(claimed.sort()).toEqual([...ids].sort());
    await a.close();
    await b.close();
  });

  it('the PostgreSQL backfill migration gives old runs the same facets as createRun', async () => {
    await (await open()).close();
    const sql = (await import('postgres')).default(lastUrl, { max: 1, onnotice: () => {} });
    try {
      for (const [i, c] of BACKFILL_CONFIGS.entries())
        await sql`insert into runs (id, name, config, status, epochs_planned, created_at, updated_at) values (${`old${i}`}, 'old', ${sql.json(c as never)}, 'done', 1, ${i}, ${i})`;
      await sql.unsafe(backfillSql('pg'));
      const rows = await sql`select model, data, img, epochs, strategy from runs order by created_at`;
      expect(rows.map((r) => ({ ...r }))).toEqual(expectedFacets());
    } finally {
      await sql.end();
    }
  });
});
