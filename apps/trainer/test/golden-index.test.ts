import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGolden } from '../src/golden/index.ts';

describe('golden runner', () => {
  it('reports an area without a checker as skipped, and is not ok without checks', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-golden-'));
    const report = await runGolden(dir, ['no-such-area']);
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual([expect.objectContaining({ name: 'no-such-area/checker', skipped: true, ok: false })]);
    const empty = await runGolden(dir, []);
    expect(empty).toEqual({ ok: false, checks: [] });
  });
});
