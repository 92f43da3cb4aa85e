import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceTable, resolvePreset, type PresetOverrides } from '@distillery/core';
import { openDatabase, type RunStore } from '@distillery/db';
import { buildResultsTable, seedReferenceTables, tableCells, toMarkdown } from '../src/tables/results-table.ts';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-table-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

async function finishedRun(store: RunStore, preset: string, overrides: PresetOverrides, map50: number): Promise<string> {
  const config = resolvePreset(preset, overrides);
  const run = await store.createRun({ name: config.name!, preset, config, enqueue: false });
  await store.claimRun(run.id, 'w', { leaseMs: 10_000 });
  await store.finishRun(run.id, 'w', { precision: 0.5, recall: 0.6, map50, map5095: map50 / 2, params: 3_600_000, gmacs: 1.2, img: 320 });
  return run.id;
}

describe('results tables', () => {
  it('puts the best matching finished run beside each reference row, with its setup and the difference', async () => {
    const store = await openDatabase({ home });
    try {
      const focus = 'mobile-yolo5s_voc.focus-stem@90259bc';
      // conv stem: does not match the Focus-stem baseline row; two Focus runs: the one with fewer deviations wins
      await finishedRun(store, 'mvocs', { data: 'demo', img: 320 }, 0.9);
      const matching = await finishedRun(store, 'mvocs', { model: focus, img: 320 }, 0.7);
      await finishedRun(store, 'mvocs', { model: focus, img: 320, epochs: 3, data: 'demo' }, 0.8);
      const table = await buildResultsTable(store, referenceTable('baseline'));
      const row = table.rows.find((r) => r.label === 'mobilev2-yolo5s')!;
      expect(row.run?.id).toBe(matching);
      expect(row.run).toMatchObject({ data: 'voc', img: 320, epochs: 50 });
      expect(row.diff.map50).toBeCloseTo(0.7 - row.reference.map50!, 10);
      expect(row.run?.values.paramsM).toBeCloseTo(3.6, 10);
      expect(table.rows.find((r) => r.label === 'yolo5l')?.run).toBeNull();
      const { head, rows } = tableCells(table);
      expect(head).toContain('mAP@0.5 ref');
      expect(rows.find((r) => r[0] === 'yolo5l')?.join(' ')).toMatch(/no matching run of vocl/);
      expect(toMarkdown(table)).toMatch(/^### Baseline\n\n\| model \|/);
      await seedReferenceTables(store);
      expect((await store.getReferenceTable('s1.1'))?.rows.length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
