/**
 * The real HTTP handlers (tRPC route, downloads) on a temporary data folder: malformed requests get
 * a 4xx with a message, never a 500.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dataDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-http-')));
process.env.DISTILLERY_HOME = dataDir;
process.env.DATABASE_URL = '';

type Handler = (req: Request) => Promise<Response>;
let trpc: { GET: Handler; POST: Handler };
let artifacts: { GET: (req: Request, ctx: { params: Promise<{ runId: string; artifactId: string }> }) => Promise<Response> };
let runId: string;

const base = 'http://127.0.0.1:3000/api/trpc';
const q = (input: unknown) => `input=${encodeURIComponent(JSON.stringify({ json: input }))}`;

beforeAll(async () => {
  trpc = (await import('~/app/api/trpc/[trpc]/route.ts')) as unknown as typeof trpc;
  artifacts = (await import('~/app/api/artifacts/[runId]/[artifactId]/route.ts')) as unknown as typeof artifacts;
  const { getStore } = await import('~/server/store/open.ts');
  const store = await getStore();
  const run = await store.createRun({ name: 'http', config: { epochs: 1 }, enqueue: true });
  runId = run.id;
  fs.writeFileSync(path.join(os.tmpdir(), 'distillery-outside.bin'), 'outside');
  await store.addArtifact(runId, { kind: 'checkpoint', path: path.join(os.tmpdir(), 'distillery-outside.bin'), bytes: 7, sha256: 'b'.repeat(64) });
});
afterAll(async () => {
  const { getStore } = await import('~/server/store/open.ts');
  await (await getStore()).close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function errorOf(res: Response): Promise<{ status: number; message: string; body: string }> {
  const body = await res.text();
  let message = '';
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string; json?: { message?: string } } };
    message = parsed.error?.json?.message ?? parsed.error?.message ?? '';
  } catch {
    message = body;
  }
  return { status: res.status, message, body };
}

describe('tRPC over HTTP', () => {
  it('answers a good query with 200', async () => {
    const res = await trpc.GET(new Request(`${base}/runs.list?${q({ page: 1 })}`));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(runId);
  });

  it.each([
    ['input that is not JSON', `${base}/runs.list?input=%7Bnope`],
    ['a wrongly typed field', `${base}/runs.list?${q({ page: 'two' })}`],
    ['an unknown field', `${base}/runs.list?${q({ page: 1, colour: 'red' })}`],
    ['a missing input', `${base}/runs.get`],
    ['an over-long id', `${base}/runs.get?${q({ id: 'x'.repeat(1000) })}`],
  ])('answers %s with 400 and a message', async (_what, url) => {
    const { status, message } = await errorOf(await trpc.GET(new Request(url)));
    expect(status).toBe(400);
    expect(message.length).toBeGreaterThan(0);
  });

  it('answers a POST with a broken body with 400', async () => {
    const res = await trpc.POST(new Request(`${base}/runs.launch`, { method: 'POST', body: '{"json": {', headers: { 'content-type': 'application/json' } }));
    expect(res.status).toBe(400);
  });

  it('answers an invalid launch with 400 and the field errors', async () => {
    const res = await trpc.POST(
      new Request(`${base}/runs.launch`, { method: 'POST', body: JSON.stringify({ json: { config: { img: 100, hyp: { lr0: -1 } } } }), headers: { 'content-type': 'application/json' } }),
    );
    const { status, body } = await errorOf(res);
    expect(status).toBe(400);
    expect(body).toContain('hyp.lr0');
    expect(body).toContain('img');
  });

  it('answers an unknown procedure with 404 and an unknown run with 404', async () => {
    expect((await trpc.GET(new Request(`${base}/runs.nothing`))).status).toBe(404);
    const { status, message } = await errorOf(await trpc.GET(new Request(`${base}/runs.get?${q({ id: 'no-such-run' })}`)));
    expect(status).toBe(404);
    expect(message).toContain('no-such-run');
  });

  it('does not run a mutation over GET', async () => {
    const res = await trpc.GET(new Request(`${base}/runs.launch?${q({ config: {} })}`));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe('artifact downloads over HTTP', () => {
  const call = (run: string, artifact: string) => artifacts.GET(new Request(`http://127.0.0.1:3000/api/artifacts/${run}/${artifact}`), { params: Promise.resolve({ runId: run, artifactId: artifact }) });

  it('answers a non-numeric artifact id with 400 and an unknown one with 404', async () => {
    expect((await call(runId, 'abc')).status).toBe(400);
    expect((await call(runId, '99999')).status).toBe(404);
    expect((await call('no-run', '1')).status).toBe(404);
  });

  it('refuses an artifact recorded outside the data folder with 403', async () => {
    const { getStore } = await import('~/server/store/open.ts');
    const [artifact] = await (await getStore()).artifacts(runId);
    expect((await call(runId, String(artifact!.id))).status).toBe(403);
  });
});
