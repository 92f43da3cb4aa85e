import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetNames } from '../src/presets/resolve-preset.ts';
import {
  bestMatchingRun,
  matchScore,
  referenceRowConfig,
  referenceTable,
  rowsForRun,
} from '../src/reference/match.ts';
import { UPSTREAM_SOURCE, UPSTREAM_TABLES } from '../src/reference/upstream-tables.ts';
import { sharedDir } from './loss-golden.ts';

const resultsMd = path.join(sharedDir, 'reference', 'upstream-results.md');

describe('upstream reference tables', () => {
  it('has every README table, with its source', () => {
    expect(UPSTREAM_TABLES.map((t) => t.id)).toEqual(
      expect.arrayContaining([
        'baseline',
        'pruning',
        's1.1',
        's1.2',
        's2.1',
        's2.2',
        's3',
        'focus-vs-conv',
        'input-size',
      ]),
    );
    expect(UPSTREAM_SOURCE.commit).toBe('5d52454');
  });
  it('tags every row of this project with a preset whose config resolves and matches the row', () => {
    const presets = new Set(presetNames());
    for (const table of UPSTREAM_TABLES) {
      for (const row of table.rows) {
        if (!row.preset) {
          expect(table.id).toBe('other-mobile-yolos');
          continue;
        }
        expect(presets.has(row.preset), `${table.id}/${row.label}`).toBe(true);
        const config = referenceRowConfig(row);
        expect(matchScore(row, { preset: config.preset, overrides: config.overrides })).toBeDefined();
      }
    }
  });
  it('picks the run with the row overrides and the fewest other deviations', () => {
    const row = referenceTable('input-size').rows.find((r) => r.label === '320x320')!;
    const runs = [
      { id: 'a', preset: 'dmvocs', overrides: [] },
      { id: 'b', preset: 'dmvocs', overrides: ['img=320', 'data=demo'] },
      { id: 'c', preset: 'dmvocs', overrides: ['img=320'] },
      { id: 'd', preset: 'mvocs', overrides: ['img=320'] },
    ];
    expect(bestMatchingRun(row, runs)?.id).toBe('c');
    expect(bestMatchingRun(row, [runs[0], runs[3]])).toBeUndefined();
    expect(rowsForRun({ preset: 'dmvocs', overrides: ['img=320'] }).map(({ table }) => table.id)).toContain(
      'input-size',
    );
  });
  it.skipIf(!existsSync(resultsMd))('every P/R/mAP triple appears in the upstream results document', () => {
    const md = readFileSync(resultsMd, 'utf8');
    for (const table of UPSTREAM_TABLES.filter((t) => t.id !== 'other-mobile-yolos')) {
      for (const row of table.rows) {
        const { precision, recall, map50 } = row.metrics;
        const triple = [precision, recall, map50].map((v) => v!.toFixed(3)).join(' | ');
        expect(md, `${table.id}/${row.label}`).toContain(`| ${triple} |`);
      }
    }
  });
});
