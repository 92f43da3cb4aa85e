/** The tRPC routers called through createCaller on a temporary SQLite database. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RouterInputs } from '~/trpc/react.tsx';
import { makeFixture, playRun, type Fixture } from './helpers.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await makeFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
  return 'OK';
}

/** A uniformly gray RGB PNG (the web app has no image library; the trainer side decodes it with sharp). */
function grayPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.alloc(1 + width * 3, 128);
  row[0] = 0; // filter: none
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

/** A tracked() event as createCaller yields it: [id, data, marker]. */
function trackedData<T>(event: unknown): T {
  return (Array.isArray(event) ? event[1] : (event as { data: T }).data) as T;
}

const SMALL = { name: 'tiny', data: 'demo', img: 64, epochs: 2, batch: 2 };

describe('runs.launch', () => {
  it('enqueues a valid custom config for the worker', async () => {
    const { id, status } = await fx.caller.runs.launch({ preset: 'custom', config: SMALL as never });
    expect(status).toBe('queued');
    const run = await fx.store.getRun(id);
    expect(run?.config).toMatchObject({ img: 64, epochs: 2, data: 'demo' });
    expect(run?.epochsPlanned).toBe(2);
    // It is on the queue: a worker can claim it.
    expect((await fx.store.claimNextRun('w', { leaseMs: 1000 }))?.id).toBe(id);
  });

  it('rejects an invalid config with field errors (BAD_REQUEST), not a server error', async () => {
    const error = await fx.caller.runs.launch({ config: { ...SMALL, img: 65, epochs: -1 } as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('BAD_REQUEST');
    const issues = JSON.stringify((error as TRPCError).cause);
    expect(issues).toContain('img');
    expect(issues).toContain('epochs');
  });

  it('re-resolves a preset with the changed fields recorded as overrides, as core records them', async () => {
    const presets = await fx.caller.studies.presets();
    const mvocs = presets.find((p) => p.name === 'mvocs');
    expect(mvocs?.kind).toBe('run');
    const { id } = await fx.caller.runs.launch({ preset: 'mvocs', config: { ...mvocs!.config, epochs: 3, hyp: { ...mvocs!.config.hyp, lr0: 0.02 } } });
    const run = await fx.store.getRun(id);
    expect(run?.preset).toBe('mvocs');
    expect(run?.config.overrides).toEqual(expect.arrayContaining(['epochs=3', 'hyp.lr0=0.02']));
    expect(run?.config.overrides).toHaveLength(2);
  });

  it('names an unknown preset in a BAD_REQUEST', async () => {
    const error = (await fx.caller.runs.launch({ preset: 'no-such-preset', config: SMALL as never }).catch((e: unknown) => e)) as TRPCError;
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('no-such-preset');
  });
});

describe('runs.list', () => {
  it('pages, sorts and filters in the database', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await fx.caller.runs.launch({ config: { ...SMALL, name: `run-${i}` } as never })).id);
    await playRun(fx.store, ids[2]!, { epochs: [0.1, 0.3], result: { precision: 0.5, recall: 0.5, map50: 0.3, map5095: 0.1, params: 3_600_000, gmacs: 4.4, img: 64 } });
    await playRun(fx.store, ids[5]!, { epochs: [0.2, 0.5], result: { precision: 0.5, recall: 0.5, map50: 0.5, map5095: 0.2, params: 3_600_000, gmacs: 4.4, img: 64 } });

    const page1 = await fx.caller.runs.list({ page: 1, pageSize: 3, sort: { field: 'name', dir: 'asc' } });
    expect(page1.total).toBe(7);
    expect(page1.rows.map((r) => r.name)).toEqual(['run-0', 'run-1', 'run-2']);
    const page3 = await fx.caller.runs.list({ page: 3, pageSize: 3, sort: { field: 'name', dir: 'asc' } });
    expect(page3.rows.map((r) => r.name)).toEqual(['run-6']);

    const done = await fx.caller.runs.list({ filter: { status: ['done'] }, sort: { field: 'map50', dir: 'desc' } });
    expect(done.rows.map((r) => r.name)).toEqual(['run-5', 'run-2']);
    expect(done.rows[0]!).toMatchObject({ model: 'mobile-yolo5s_voc', data: 'demo', img: 64, strategy: 'baseline' });
    expect(done.rows[0]!.host).toBe('testhost');

    const searched = await fx.caller.runs.list({ filter: { search: 'RUN-4' } });
    expect(searched.rows.map((r) => r.name)).toEqual(['run-4']);
  });

  it('filters and sorts by model, strategy and data in the database, and offers their values', async () => {
    const distilled = { ...SMALL, name: 'distilled', data: 'other', strategies: [{ kind: 'distill-output', teacher: 'teacher.safetensors' }] };
    await fx.caller.runs.launch({ config: distilled as never });
    await fx.caller.runs.launch({ config: { ...SMALL, name: 'pruned', model: 'yolov5s', weights: 'sparse.safetensors', prune: { mode: 'ratio', ratio: 0.5 } } as never });
    const names = async (filter: RouterInputs['runs']['list']['filter']) =>
      (await fx.caller.runs.list({ filter, sort: { field: 'name', dir: 'asc' } })).rows.map((r) => r.name);
    expect(await names({ strategy: 'distill-output' })).toEqual(['distilled']);
    expect(await names({ strategy: 'prune', model: 'yolov5s' })).toEqual(['pruned']);
    expect(await names({ data: 'other' })).toEqual(['distilled']);
    expect(await names({ model: 'yolov5s', data: 'other' })).toEqual([]);
    const byStrategy = await fx.caller.runs.list({ filter: { search: 'd' }, sort: { field: 'strategy', dir: 'desc' } });
    expect(byStrategy.rows.map((r) => r.strategy)).toEqual(['prune', 'distill-output']);
    const facets = await fx.caller.runs.facets();
    expect(facets.strategy.map((f) => f.value)).toEqual(expect.arrayContaining(['distill-output', 'prune']));
    expect(facets.model.find((f) => f.value === 'yolov5s')?.count).toBe(1);
    expect(await codeOf(fx.caller.runs.list({ filter: { img: 'big' as never } }))).toBe('BAD_REQUEST');
  });

  it('rejects a malformed query (unknown sort field, page size too large) as BAD_REQUEST', async () => {
    expect(await codeOf(fx.caller.runs.list({ sort: { field: 'bogus' as never, dir: 'asc' } }))).toBe('BAD_REQUEST');
    expect(await codeOf(fx.caller.runs.list({ pageSize: 100_000 }))).toBe('BAD_REQUEST');
    expect(await codeOf(fx.caller.runs.list({ filter: { status: ['sleeping' as never] } }))).toBe('BAD_REQUEST');
  });
});

describe('one run', () => {
  it('an unknown id is NOT_FOUND everywhere', async () => {
    expect(await codeOf(fx.caller.runs.get({ id: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(fx.caller.runs.epochs({ id: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(fx.caller.runs.logs({ id: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(fx.caller.artifacts.list({ runId: 'nope' }))).toBe('NOT_FOUND');
  });

  it('details, epochs, log tail and artifacts with download links', async () => {
    const { id } = await fx.caller.runs.launch({ config: SMALL as never });
    const runDir = path.join(fx.dataDir, 'runs', id);
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'train.log'), 'line one\nline two\n');
    const ckpt = path.join(runDir, 'last.safetensors');
    fs.writeFileSync(ckpt, 'weights');
    await playRun(fx.store, id, { epochs: [0.1, 0.2], runDir });
    await fx.store.addArtifact(id, { kind: 'checkpoint-last', path: ckpt, bytes: 7, sha256: 'a'.repeat(64), epoch: 1 });

    const details = await fx.caller.runs.get({ id });
    expect(details.run.status).toBe('running');
    expect(details.summary.img).toBe(64);
    expect((await fx.caller.runs.epochs({ id })).map((e) => e.map50)).toEqual([0.1, 0.2]);
    const log = await fx.caller.runs.logs({ id });
    expect(log.lines).toEqual(['line one', 'line two']);
    expect(log.source).toBe(path.join('runs', id, 'train.log'));
    const artifacts = await fx.caller.artifacts.list({ runId: id });
    expect(artifacts).toHaveLength(1);
    expect(artifacts[0]!.downloadUrl).toBe(`/api/artifacts/${id}/${artifacts[0]!.id}`);
  });

  it('a queued run says what it waits for: its unfinished teacher run, then a free worker', async () => {
    const teacher = (await fx.caller.runs.launch({ config: { ...SMALL, name: 'teacher' } as never })).id;
    const student = (await fx.caller.runs.launch({ config: { ...SMALL, name: 'student', weights: teacher } as never })).id;
    const waits = async () => {
      const rows = (await fx.caller.runs.list({})).rows;
      return Object.fromEntries(rows.map((r) => [r.name, r.waitingFor?.map((d) => `${d.runId}:${d.status}`) ?? null]));
    };

    let details = await fx.caller.runs.get({ id: student });
    expect(details.dependencies).toEqual([{ runId: teacher, name: 'teacher', status: 'queued', error: null }]);
    expect(details.waitingFor?.map((d) => d.runId)).toEqual([teacher]);
    expect(await waits()).toEqual({ teacher: [], student: [`${teacher}:queued`] });

    await playRun(fx.store, teacher, { epochs: [0.1], result: { precision: 0.5, recall: 0.5, map50: 0.2, map5095: 0.1, params: 1, gmacs: 1, img: 64 } });
    details = await fx.caller.runs.get({ id: student });
    expect(details.dependencies.map((d) => d.status)).toEqual(['done']);
    expect(details.waitingFor).toEqual([]);
    expect(await waits()).toEqual({ teacher: null, student: [] });
    expect((await fx.caller.runs.get({ id: teacher })).waitingFor).toBeNull();
  });

  it('validation images: manifest images inside the data folder are listed, others left out', async () => {
    const { id } = await fx.caller.runs.launch({ config: SMALL as never });
    const runDir = path.join(fx.dataDir, 'runs', id);
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'a.jpg'), 'jpeg');
    const manifest = {
      epoch: 1,
      names: ['cat'],
      images: [
        { file: 'a.jpg', width: 64, height: 48, gt: [{ cls: 0, box: [1, 2, 30, 40] }], pred: [{ cls: 0, score: 0.9, box: [2, 3, 31, 41] }] },
        { file: '../../../../../../etc/passwd', width: 1, height: 1 },
      ],
    };
    fs.writeFileSync(path.join(runDir, 'val-images.json'), JSON.stringify(manifest));
    await playRun(fx.store, id, { epochs: [], runDir });
    const images = await fx.caller.artifacts.validationImages({ runId: id });
    expect(images.problem).toBeNull();
    expect(images.images.map((i) => i.file)).toEqual(['a.jpg']);
    expect(images.images[0]!.url).toBe(`/api/files?path=${encodeURIComponent(path.join('runs', id, 'a.jpg'))}`);
  });

  it('validation images as the trainer writes them (core writeValImages) are read back with their boxes', async () => {
    const { writeValImages } = await import('@distillery/core/node');
    const { id } = await fx.caller.runs.launch({ config: SMALL as never });
    const runDir = path.join(fx.dataDir, 'runs', id);
    // The data set lives outside the data folder: the trainer copies the image into the run folder.
    const source = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-web-data-')), 'img.png');
    fs.writeFileSync(source, grayPng(1024, 512));
    const sample = { path: source, index: 3, width: 1024, height: 512, gt: [{ cls: 1, box: [100, 50, 300, 250] as [number, number, number, number] }], pred: [{ cls: 0, score: 0.8, box: [0, 0, 512, 256] as [number, number, number, number] }] };
    await writeValImages(runDir, [sample], { epoch: 4, names: ['cat', 'dog'] });
    await playRun(fx.store, id, { epochs: [], runDir });
    const images = await fx.caller.artifacts.validationImages({ runId: id });
    expect(images.problem).toBeNull();
    expect(images).toMatchObject({ epoch: 4, names: ['cat', 'dog'] });
    expect(images.images).toHaveLength(1);
    expect(images.images[0]).toMatchObject({ width: 512, height: 256, gt: [{ cls: 1, box: [50, 25, 150, 125] }], pred: [{ cls: 0, score: 0.8, box: [0, 0, 256, 128] }] });
    expect(images.images[0]!.url).toMatch(new RegExp(`^/api/files\\?path=${encodeURIComponent(path.join('runs', id, 'val-images'))}`));
    fs.rmSync(path.dirname(source), { recursive: true, force: true });
  });

  it('live subscription sends the epochs so far, then ends when the run is done', async () => {
    const { id } = await fx.caller.runs.launch({ config: SMALL as never });
    await playRun(fx.store, id, { epochs: [0.1, 0.2], result: { precision: 0.5, recall: 0.5, map50: 0.2, map5095: 0.1, params: 1, gmacs: 1, img: 64 } });
    const stream = await fx.caller.runs.live({ id });
    const events: unknown[] = [];
    for await (const event of stream as AsyncIterable<unknown>) events.push(event);
    expect(events).toHaveLength(1);
    const payload = trackedData<{ run: { status: string }; epochs: Array<{ epoch: number }> }>(events[0]);
    expect(payload.run.status).toBe('done');
    expect(payload.epochs.map((e) => e.epoch)).toEqual([0, 1]);
  });

  it('live subscription resumed after epoch 0 sends only the newer epochs', async () => {
    const { id } = await fx.caller.runs.launch({ config: SMALL as never });
    await playRun(fx.store, id, { epochs: [0.1, 0.2, 0.3], result: { precision: 0.5, recall: 0.5, map50: 0.3, map5095: 0.1, params: 1, gmacs: 1, img: 64 } });
    const stream = await fx.caller.runs.live({ id, lastEventId: '0:whatever' });
    const events: unknown[] = [];
    for await (const event of stream as AsyncIterable<unknown>) events.push(event);
    expect(events.flatMap((e) => trackedData<{ epochs: Array<{ epoch: number }> }>(e).epochs.map((x) => x.epoch))).toEqual([1, 2]);
  });
});

describe('compare and scatter', () => {
  it('compares two to ten runs and scatters the finished ones', async () => {
    const a = (await fx.caller.runs.launch({ config: { ...SMALL, name: 'a' } as never })).id;
    const b = (await fx.caller.runs.launch({ config: { ...SMALL, name: 'b', img: 96 } as never })).id;
    await playRun(fx.store, a, { epochs: [0.1], result: { precision: 0.5, recall: 0.5, map50: 0.1, map5095: 0.05, params: 10, gmacs: 2, img: 64 } });
    const compared = await fx.caller.runs.compare({ ids: [a, b] });
    expect(compared.map((c) => c.run.name)).toEqual(['a', 'b']);
    expect(compared[0]!.epochs).toHaveLength(1);
    expect(await codeOf(fx.caller.runs.compare({ ids: [a] }))).toBe('BAD_REQUEST');
    expect(await codeOf(fx.caller.runs.compare({ ids: [a, a] }))).toBe('BAD_REQUEST');
    expect(await codeOf(fx.caller.runs.compare({ ids: [a, 'missing'] }))).toBe('NOT_FOUND');
    const points = await fx.caller.runs.scatter();
    expect(points).toEqual([expect.objectContaining({ id: a, map50: 0.1, gmacs: 2 })]);
  });
});

describe('studies', () => {
  it('launches a study: one queued run per stage, teacher references replaced by the teacher run id', async () => {
    const presets = await fx.caller.studies.presets();
    const quick = presets.find((p) => p.name === 'study:quickstart');
    expect(quick?.kind).toBe('study');
    const { id, runIds } = await fx.caller.studies.launch({ preset: 'study:quickstart', base: { ...quick!.config, epochs: 1 } });
    expect(runIds).toHaveLength(quick!.stages.length);
    const study = await fx.store.getStudy(id);
    expect(study?.stages.map((s) => s.runId)).toEqual(runIds);
    const runs = await Promise.all(runIds.map((r) => fx.store.getRun(r)));
    // The changed field (epochs) applies to every stage.
    for (const run of runs) expect(run?.config.epochs).toBe(1);
    const teacherStage = study!.stages.find((s) => s.dependsOn.length === 0)!;
    const student = runs.find((r) => JSON.stringify(r?.config.strategies ?? []).includes('distill'));
    expect(JSON.stringify(student?.config.strategies)).toContain(teacherStage.runId!);
    expect(JSON.stringify(student?.config.strategies)).not.toContain('@stage:');
  });

  it('an unknown study is a BAD_REQUEST', async () => {
    const presets = await fx.caller.studies.presets();
    const error = (await fx.caller.studies.launch({ preset: 'study:nope', base: presets[0]!.config }).catch((e: unknown) => e)) as TRPCError;
    expect(error.code).toBe('BAD_REQUEST');
  });
});

describe('results tables', () => {
  it('puts the best matching finished run beside each reference row, with the difference', async () => {
    const presets = await fx.caller.studies.presets();
    const vocs = presets.find((p) => p.name === 'vocs')!;
    const worse = (await fx.caller.runs.launch({ preset: 'vocs', config: { ...vocs.config, data: 'demo' } })).id;
    const better = (await fx.caller.runs.launch({ preset: 'vocs', config: { ...vocs.config, data: 'demo' } })).id;
    await playRun(fx.store, worse, { epochs: [0.3], result: { precision: 0.4, recall: 0.7, map50: 0.3, map5095: 0.1, params: 7_070_000, gmacs: 8.39, img: 640 } });
    await playRun(fx.store, better, { epochs: [0.6], result: { precision: 0.5, recall: 0.8, map50: 0.6, map5095: 0.3, params: 7_070_000, gmacs: 8.39, img: 640 } });
    const tables = await fx.caller.tables.list();
    expect(tables.map((t) => t.key)).toEqual(expect.arrayContaining(['baseline', 'pruning', 's1.1', 's1.2', 's2.1', 's2.2', 's3', 'focus-vs-conv', 'input-size']));
    const baseline = tables.find((t) => t.key === 'baseline')!;
    const row = baseline.rows.find((r) => r.preset === 'vocs')!;
    expect(row.run?.id).toBe(better);
    expect(row.run?.data).toBe('demo');
    const ref = row.reference.map50 as number;
    expect(row.diff.map50).toBeCloseTo(0.6 - ref, 10);
    expect(row.run?.values.paramsM).toBeCloseTo(7.07, 10);
    // Rows without a finished run of their preset have no match and no difference.
    const other = baseline.rows.find((r) => r.preset === 'vocl')!;
    expect(other.run).toBeNull();
    expect(other.diff.map50).toBeNull();

    const csv = await fx.caller.tables.export({ key: 'baseline', format: 'csv' });
    expect(csv.fileName).toBe('baseline.csv');
    const csvLines = csv.text.trim().split('\r\n');
    expect(csvLines).toHaveLength(baseline.rows.length + 1);
    expect(csvLines[0]).toContain('mAP@0.5 (reference)');
    expect(csv.text).toContain(better);
    const md = await fx.caller.tables.export({ key: 'baseline', format: 'markdown' });
    expect(md.text.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(baseline.rows.length + 2);
    expect(await codeOf(fx.caller.tables.export({ key: 'nope', format: 'csv' }))).toBe('NOT_FOUND');
  });
});
