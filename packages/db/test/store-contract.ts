/**
 * The behaviour every `RunStore` must have, run against each dialect (SQLite here, PostgreSQL in
 * pg-store.test.ts when a server can be started).
 */
import { expect, it } from 'vitest';
import type { EpochRecord, RunStore } from '../src/index.ts';

const config = (epochs: number) => ({ model: 'mobile-yolo5s_voc', data: 'demo', epochs, img: 64 });

function epochMetrics(epoch: number): EpochRecord {
  return { epoch, lbox: 0.1 * epoch, lobj: 0.2, lcls: 0.3, total: 0.6, lr: 0.01, map50: epoch / 10, imagesPerSec: 5, seconds: 1 };
}

export function storeContract(open: () => Promise<RunStore>): void {
  extraContract(open);
  it('creates, reads and lists runs with their config', async () => {
    const store = await open();
    const run = await store.createRun({ name: 'teacher', preset: 'vocs', config: config(3) });
    expect(run.status).toBe('queued');
    expect(run.epochsPlanned).toBe(3);
    expect((await store.getRun(run.id))?.config).toEqual(config(3));
    expect(await store.getRun('nope')).toBeNull();
    const page = await store.listRuns({ filter: { search: 'teach' } });
    expect(page.rows.map((r) => r.id)).toContain(run.id);
    await store.close();
  });

  it('search text is literal: %, _ and \\ match only themselves', async () => {
    const store = await open();
    const names = ['lr_0.1', 'lrx0.1', '50% pruned', '50 pruned', 'a\\b', 'ab'];
    for (const name of names) await store.createRun({ name, config: config(1) });
    const found = async (search: string) => (await store.listRuns({ filter: { search } })).rows.map((r) => r.name).sort();
    expect(await found('lr_0')).toEqual(['lr_0.1']);
    expect(await found('50%')).toEqual(['50% pruned']);
    expect(await found('a\\b')).toEqual(['a\\b']);
    await store.close();
  });

  it('claims each queued run once, by priority then age', async () => {
    const store = await open();
    const a = await store.createRun({ name: 'a', config: config(1) });
    const b = await store.createRun({ name: 'b', config: config(1), priority: 5 });
    const c = await store.createRun({ name: 'c', config: config(1), enqueue: false });
    const first = await store.claimNextRun('w1', { leaseMs: 60_000 });
    const second = await store.claimNextRun('w2', { leaseMs: 60_000 });
    expect([first?.id, second?.id]).toEqual([b.id, a.id]);
    expect(first?.status).toBe('running');
    expect(first?.workerId).toBe('w1');
    expect(first?.attempts).toBe(1);
    expect(await store.claimNextRun('w3', { leaseMs: 60_000 })).toBeNull();
    // a foreground run is claimed by id, once
    expect((await store.claimRun(c.id, 'w3', { leaseMs: 60_000 }))?.workerId).toBe('w3');
    expect(await store.claimRun(c.id, 'w4', { leaseMs: 60_000 })).toBeNull();
    await store.close();
  });

  it('records epochs idempotently and finishes with results', async () => {
    const store = await open();
    const run = await store.createRun({ name: 'r', config: config(3) });
    await store.claimNextRun('w', { leaseMs: 60_000 });
    for (const e of [0, 1, 1, 2]) await store.recordEpoch(run.id, epochMetrics(e));
    expect((await store.epochs(run.id)).map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect((await store.getRun(run.id))?.lastEpoch).toBe(2);
    expect(await store.discardEpochsAfter(run.id, 0)).toBe(2);
    expect((await store.getRun(run.id))?.lastEpoch).toBe(0);
    await expect(store.recordEpoch(run.id, { ...epochMetrics(1), lbox: Number.NaN })).rejects.toThrow();
    await store.addArtifact(run.id, { kind: 'checkpoint', path: '/x/last.ckpt', bytes: 10, sha256: 'ab', epoch: 0 });
    expect((await store.getRun(run.id))?.checkpoint).toBe('/x/last.ckpt');
    expect(await store.artifacts(run.id)).toHaveLength(1);
    await expect(store.finishRun(run.id, 'someone-else', result(0.5))).rejects.toThrow(/lease/);
    await store.finishRun(run.id, 'w', result(0.5));
    const done = await store.getRun(run.id);
    expect(done?.status).toBe('done');
    expect(await store.result(run.id)).toEqual(result(0.5));
    const page = await store.listRuns({ filter: { status: ['done'] } });
    expect(page.rows.find((r) => r.id === run.id)?.result?.map50).toBe(0.5);
    await store.close();
  });

  it('re-queues a run whose lease expired, and the old worker loses it', async () => {
    const store = await open();
    const run = await store.createRun({ name: 'r', config: config(2) });
    await store.claimNextRun('dead', { leaseMs: 1 });
    await new Promise((r) => setTimeout(r, 20));
    const again = await store.claimNextRun('alive', { leaseMs: 60_000 });
    expect(again?.id).toBe(run.id);
    expect(again?.attempts).toBe(2);
    expect(await store.heartbeat(run.id, 'dead', 1000)).toBe(false);
    expect(await store.heartbeat(run.id, 'alive', 1000, { epoch: 1 })).toBe(true);
    expect((await store.getRun(run.id))?.progress).toEqual({ epoch: 1 });
    await store.interruptRun(run.id, 'alive', 'SIGTERM');
    expect((await store.getRun(run.id))?.status).toBe('interrupted');
    // an interrupted run is not taken up by workers until resumed
    expect(await store.claimNextRun('other', { leaseMs: 60_000 })).toBeNull();
    await store.enqueueRun(run.id);
    expect((await store.claimNextRun('other', { leaseMs: 60_000 }))?.id).toBe(run.id);
    await store.failRun(run.id, 'other', 'boom');
    expect((await store.getRun(run.id))?.error).toBe('boom');
    await store.close();
  });

  it('pages, sorts and filters server-side', async () => {
    const store = await open();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const run = await store.createRun({ name: `sweep-${i}`, preset: i % 2 ? 'odd' : 'even', config: config(1) });
      ids.push(run.id);
      await store.claimRun(run.id, 'w', { leaseMs: 60_000 });
      if (i < 5) await store.finishRun(run.id, 'w', result(i / 10));
    }
    const byMap = await store.listRuns({ page: 1, pageSize: 3, sort: { field: 'map50', dir: 'desc' }, filter: { search: 'sweep' } });
    expect(byMap.total).toBe(7);
    expect(byMap.rows.map((r) => r.name)).toEqual(['sweep-4', 'sweep-3', 'sweep-2']);
    const last = await store.listRuns({ page: 3, pageSize: 3, sort: { field: 'map50', dir: 'desc' }, filter: { search: 'sweep' } });
    expect(last.rows).toHaveLength(1);
    expect(last.rows[0].result).toBeNull(); // runs without results sort last
    const odd = await store.listRuns({ filter: { preset: 'odd', status: ['done'] } });
    expect(odd.rows.map((r) => r.name).sort()).toEqual(['sweep-1', 'sweep-3']);
    await store.close();
  });

  it('copies model, data, img, epochs and strategy from the config, and filters and sorts by them', async () => {
    const store = await open();
    const make = (name: string, over: Record<string, unknown>) => store.createRun({ name, config: { ...config(2), ...over } });
    const base = await make('base', { img: 320 });
    const s1 = await make('s1', { model: 'yolov5s', strategies: [{ kind: 'distill-output', teacher: 't' }] });
    const s2 = await make('s2', { data: 'voc.yaml', strategies: [{ kind: 'distill-feature', teacher: 't' }] });
    const pr = await make('pr', { epochs: 5, prune: { mode: 'ratio', ratio: 0.5 } });
    await store.createRun({ name: 'odd', config: { model: 7, strategies: 'x' } });
    expect(base).toMatchObject({ model: 'mobile-yolo5s_voc', data: 'demo', img: 320, epochs: 2, strategy: 'baseline' });
    expect([s1.strategy, s2.strategy, pr.strategy]).toEqual(['distill-output', 'distill-feature', 'prune']);
    const odd = await store.listRuns({ filter: { search: 'odd' } });
    expect(odd.rows[0]).toMatchObject({ model: null, data: null, img: null, epochs: null, strategy: 'baseline' });
    const names = async (filter: NonNullable<Parameters<RunStore['listRuns']>[0]>['filter']) =>
      (await store.listRuns({ filter, sort: { field: 'name', dir: 'asc' } })).rows.map((r) => r.name);
    expect(await names({ model: 'yolov5s' })).toEqual(['s1']);
    expect(await names({ data: 'voc.yaml' })).toEqual(['s2']);
    expect(await names({ strategy: 'baseline' })).toEqual(['base', 'odd']);
    expect(await names({ img: 320 })).toEqual(['base']);
    expect(await names({ epochs: 5, strategy: 'prune' })).toEqual(['pr']);
    const byStrategy = await store.listRuns({ sort: { field: 'strategy', dir: 'asc' } });
    expect(byStrategy.rows.map((r) => r.strategy)).toEqual(['baseline', 'baseline', 'distill-feature', 'distill-output', 'prune']);
    const byImg = await store.listRuns({ sort: { field: 'img', dir: 'desc' } });
    expect(byImg.rows.map((r) => r.img)).toEqual([320, 64, 64, 64, null]);
    const facets = await store.runFacetValues();
    expect(facets.strategy).toEqual([
      { value: 'baseline', count: 2 },
      { value: 'distill-feature', count: 1 },
      { value: 'distill-output', count: 1 },
      { value: 'prune', count: 1 },
    ]);
    expect(facets.model).toEqual([
      { value: 'mobile-yolo5s_voc', count: 3 },
      { value: 'yolov5s', count: 1 },
    ]);
    expect(facets.img).toEqual([
      { value: 64, count: 3 },
      { value: 320, count: 1 },
    ]);
    await store.close();
  });

  it('stores studies and reference tables', async () => {
    const store = await open();
    const teacher = await store.createRun({ name: 't', config: config(1) });
    const study = await store.createStudy({
      name: 'S1',
      kind: 'distill',
      stages: [{ name: 'teacher', runId: teacher.id }, { name: 'student', dependsOn: ['teacher'] }],
    });
    const student = await store.createRun({ name: 's', config: config(1), studyId: study.id });
    await store.linkStudyRun(study.id, 'student', student.id);
    const again = await store.getStudy(study.id);
    expect(again?.stages.map((s) => [s.name, s.runId, s.dependsOn])).toEqual([
      ['teacher', teacher.id, []],
      ['student', student.id, ['teacher']],
    ]);
    expect((await store.getRun(teacher.id))?.studyId).toBe(study.id);
    expect((await store.listStudies()).map((s) => s.id)).toContain(study.id);
    const table = {
      key: 'baseline',
      title: 'Baseline',
      source: 'upstream README',
      columns: ['P', 'R', 'mAP'],
      rows: [{ label: 'yolo5s', preset: 'vocs', values: { P: 0.5, R: 0.8, mAP: 0.8 } }],
    };
    await store.upsertReferenceTable(table);
    await store.upsertReferenceTable(table);
    expect(await store.getReferenceTable('baseline')).toEqual(table);
    expect(await store.listReferenceTables()).toHaveLength(1);
    await store.close();
  });
}

function result(map50: number) {
  return { precision: 0.4, recall: 0.7, map50, map5095: map50 / 2, params: 3_600_000, gmacs: 4.67, img: 640 };
}

export function extraContract(open: () => Promise<RunStore>): void {
  it('stores uncountable FLOPs (NaN) as null', async () => {
    const store = await open();
    const run = await store.createRun({ name: 'n', config: config(1) });
    await store.claimNextRun('w', { leaseMs: 60_000 });
    await store.addArtifact(run.id, { kind: 'checkpoint-last', path: '/r/last.safetensors', bytes: 1, sha256: 'x', epoch: 0 });
    expect((await store.getRun(run.id))?.checkpoint).toBe('/r/last.safetensors');
    await store.finishRun(run.id, 'w', { ...result(0.1), gmacs: Number.NaN });
    expect((await store.result(run.id))?.gmacs).toBeNull();
    await store.close();
  });
}
