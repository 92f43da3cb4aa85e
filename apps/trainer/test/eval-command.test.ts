/** `trainer eval`: JSON shapes, bad input as UsageError, and worker threads giving identical numbers. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cocoEval, vocEval } from '@distillery/eval';
import { runEval } from '../src/commands/eval.ts';
import { UsageError } from '../src/errors.ts';
import { generateEvalCase } from '../src/bench/eval.ts';
import { createEvalPool } from '../src/workers/eval.ts';

function writeCase(): { gt: string; dt: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'eval-cmd-'));
  const gt = path.join(dir, 'gt.json');
  const dt = path.join(dir, 'dt.json');
  writeFileSync(
    gt,
    JSON.stringify({
      images: [{ id: 1, width: 640, height: 480 }, { id: 2, width: 640, height: 480 }],
      categories: [{ id: 5, name: 'dog' }, { id: 9, name: 'cat' }, { id: 12, name: 'cow' }],
      annotations: [
        { id: 1, image_id: 1, category_id: 5, bbox: [10, 10, 100, 80], area: 8000, iscrowd: 0 },
        { id: 2, image_id: 2, category_id: 9, bbox: [200, 100, 50, 60], area: 3000, iscrowd: 0 },
      ],
    }),
  );
  writeFileSync(
    dt,
    JSON.stringify([
      { image_id: 1, category_id: 5, bbox: [10, 10, 100, 80], score: 0.9 },
      { image_id: 2, category_id: 9, bbox: [400, 300, 50, 60], score: 0.8 },
    ]),
  );
  return { gt, dt, dir };
}

describe('trainer eval', () => {
  it('--json shapes for coco, voc07, voc and yolov5', async () => {
    const { gt, dt } = writeCase();
    const coco = JSON.parse(await runEval({ gt, dt, metric: 'coco', json: true }));
    expect(coco.stats).toHaveLength(12);
    expect(Object.keys(coco.perClass)).toEqual(['5', '9', '12']);
    expect(coco.perClass['12']).toBe(-1);
    expect(coco.perClass['9']).toBe(0);
    for (const metric of ['voc07', 'voc']) {
      const v = JSON.parse(await runEval({ gt, dt, metric, json: true }));
      expect(Object.keys(v.perClass)).toEqual(['dog', 'cat']);
      expect(v.perClass.dog).toBeCloseTo(1, 12);
      expect(v.mAP).toBeCloseTo(0.5, 12);
    }
    const y = JSON.parse(await runEval({ gt, dt, metric: 'yolov5', json: true }));
    expect(y.mAP50).toBeCloseTo(0.995 / 2, 12);
    const table = await runEval({ gt, dt, metric: 'coco' });
    expect(table).toContain('Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]');
  });

  it('bad input is a UsageError naming the file and record', async () => {
    const { gt, dir } = writeCase();
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ image_id: 3, category_id: 5, bbox: [0, 0, 1, 1], score: 1 }]));
    await expect(runEval({ gt, dt: bad, metric: 'coco' })).rejects.toThrow(UsageError);
    await expect(runEval({ gt, dt: bad, metric: 'coco' })).rejects.toThrow(`${bad}, record 0: unknown image_id 3`);
    await expect(runEval({ gt, dt: bad, metric: 'map' })).rejects.toThrow(/--metric must be one of/);
    await expect(runEval({ gt, metric: 'coco', weights: 'x.safetensors', data: 'voc' })).rejects.toThrow(/test\.py's metrics/);
    await expect(runEval({ weights: 'x.safetensors' })).rejects.toThrow(/needs both --weights/);
    await expect(runEval({ weights: 'missing.safetensors', data: 'demo' })).rejects.toThrow(/--weights: "missing.safetensors" does not exist/);
  });

  it('worker threads give bit-identical results', async () => {
    const { gt, dt } = generateEvalCase(60, 40, 7, 3);
    // vitest's execArgv has no TypeScript loader for a worker; tsx provides one
    const pool = createEvalPool({ threads: 2, execArgv: ['--import', 'tsx'] });
    try {
      const [c, v] = [await pool.coco(gt, dt), await pool.voc(gt, dt)];
      expect(c.stats).toEqual(cocoEval(gt, dt).stats);
      const single = vocEval(gt, dt);
      expect([v.map11, v.mapAll]).toEqual([single.map11, single.mapAll]);
    } finally {
      await pool.close();
    }
  }, 60000);
});
