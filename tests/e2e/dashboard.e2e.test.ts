/**
 * The dashboard end to end, in a real browser (Debian's chromium driven by playwright-core):
 * launch a short run from the form (first with a bad value: a field error), watch it reach `done`
 * on its page through the live subscription, see its row in the runs table and its curve, see a queued
 * run say which unfinished run it waits for, run the finished model in the browser (Try it, WASM), open a
 * results table, and get a 404 page for an unknown run.
 * Screenshots go to `test-artifacts/`.
 *
 * The server is the production build (`next build` runs first when the build is missing or older
 * than the sources) plus one `trainer worker` running core's real train() (no fake training module),
 * on a throwaway data folder. The run is genuinely short: the form points `model` at a tiny YOLOv5
 * YAML (the zoo's yolov5s_voc at width 0.125) and `data` at a tiny generated set (16 images at 96 px),
 * trained 2 epochs at 64 px — the same sizes as tests/trainer/trainer-real.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoDataset, VAL_IMAGES_MANIFEST } from '@distillery/core/node';
import { getZooConfig } from '@distillery/models';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webDir = path.join(repo, 'apps/web');
const trainerDir = path.join(repo, 'apps/trainer');
const artifactsDir = path.join(repo, 'test-artifacts');

function findChromium(): string | null {
  const candidates = [process.env.DISTILLERY_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((c): c is string => !!c && fs.existsSync(c)) ?? null;
}
const chromiumPath = findChromium();
if (!chromiumPath) console.warn('e2e: skipped — no chromium found (apt-get install chromium, or set DISTILLERY_CHROMIUM)');

function newestMtime(dir: string): number {
  let newest = 0;
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '.next' || entry.name.startsWith('.')) continue;
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return newest;
}

/** Builds the dashboard unless an up-to-date production build exists (async: a blocked event loop upsets vitest). */
async function ensureBuild(): Promise<void> {
  const buildId = path.join(webDir, '.next/BUILD_ID');
  const sources = ['apps/web/src', 'apps/web/next.config.ts', 'packages/core/src', 'packages/models/src', 'packages/eval/src', 'packages/db/src'];
  const newestSource = Math.max(...sources.map((s) => {
    const p = path.join(repo, s);
    return fs.existsSync(p) && fs.statSync(p).isFile() ? fs.statSync(p).mtimeMs : newestMtime(p);
  }));
  if (fs.existsSync(buildId) && fs.statSync(buildId).mtimeMs > newestSource) return;
  const child = spawn(process.execPath, [path.join(webDir, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: webDir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output = (output + c.toString('utf8')).slice(-8000)));
  child.stderr.on('data', (c: Buffer) => (output = (output + c.toString('utf8')).slice(-8000)));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`next build failed (${code}):\n${output.slice(-4000)}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const children: ChildProcess[] = [];
const logs: Record<string, string[]> = {};
function startProcess(name: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  // Own process group, so stopping it also stops the workers it spawned.
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  logs[name] = [];
  const keep = (chunk: Buffer) => logs[name]!.push(...chunk.toString('utf8').split('\n').filter(Boolean).slice(-200));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  children.push(child);
  return child;
}
function tail(name: string): string {
  return (logs[name] ?? []).filter((l) => !l.includes('already registered')).slice(-30).join('\n');
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${tail('web')}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `e2e-${name}.png`), fullPage: true });
}

describe.skipIf(!chromiumPath)('dashboard in a browser (real trainer)', () => {
  let home: string;
  let tinyData: string;
  let tinyModel: string;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let env: NodeJS.ProcessEnv;

  /** `pnpm trainer …` on the test's data folder; resolves with its stdout (rejects on a non-zero exit). */
  function trainerCli(args: string[]): Promise<string> {
    const child = spawn(path.join(trainerDir, 'node_modules/.bin/tsx'), ['src/cli.ts', ...args], { cwd: trainerDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`trainer ${args.join(' ')} exited ${code}: ${err}`)))));
  }

  beforeAll(async () => {
    await ensureBuild();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-e2e-'));
    await ensureDemoDataset(path.join(home, 'tiny'), { seed: 1, train: 16, val: 8, test: 0, imageSize: 96, maxObjects: 3 });
    tinyData = path.join(home, 'tiny', 'dataset.yaml');
    // yolov5s_voc's layout at width 0.125: the zoo text with only width_multiple changed.
    tinyModel = path.join(home, 'tiny-yolo.yaml');
    fs.writeFileSync(tinyModel, getZooConfig('yolov5s_voc')!.replace(/^width_multiple:.*$/m, 'width_multiple: 0.125'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    env = { ...process.env, DISTILLERY_HOME: home, DATABASE_URL: '', DISTILLERY_HOST: '127.0.0.1', NEXT_TELEMETRY_DISABLED: '1' };
    startProcess('web', process.execPath, [path.join(webDir, 'node_modules/next/dist/bin/next'), 'start', '-H', '127.0.0.1', '-p', String(port)], webDir, env);
    // An empty DISTILLERY_TRAINER_MODULE: the executor loads @distillery/core/node's real train().
    const workerEnv: NodeJS.ProcessEnv = { ...env, DISTILLERY_TRAINER_MODULE: '', DISTILLERY_BACKEND: '' };
    startProcess('worker', path.join(trainerDir, 'node_modules/.bin/tsx'), ['src/cli.ts', 'worker', '--poll-ms', '500'], trainerDir, workerEnv);
    await waitForHttp(`${baseUrl}/runs`, 60_000);
    browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  }, 480_000);

  afterAll(async () => {
    await browser?.close();
    for (const child of children) {
      if (child.pid && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
    for (const child of children) if (child.pid && child.exitCode === null) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }, 30_000);

  it('launches a run from the form, shows field errors, and follows the run live to done', async () => {
    await page.goto(`${baseUrl}/launch?preset=custom`);
    await page.waitForSelector('form[aria-label="launch"]');
    await page.fill('[name="name"]', 'e2e-run');
    await page.fill('[name="model"]', tinyModel);
    await page.fill('[name="data"]', tinyData);
    await page.fill('[name="img"]', '100'); // not a multiple of 32
    await page.fill('[name="epochs"]', '0'); // below the minimum
    await page.click('[data-testid="launch-submit"]');
    await page.waitForSelector('[data-testid="error-img"]');
    expect(await page.textContent('[data-testid="error-img"]')).toContain('multiple of 32');
    expect(await page.textContent('[data-testid="error-epochs"]')).toMatch(/greater than or equal to 1/);
    await shot(page, '1-launch-field-errors');
    expect(page.url()).toContain('/launch');

    await page.fill('[name="img"]', '64');
    await page.fill('[name="epochs"]', '2');
    await page.fill('[name="batch"]', '4');
    await page.fill('[name="workers"]', '1');
    await page.selectOption('[name="backend"]', 'wasm');
    await page.uncheck('[name="augment"]');
    await page.click('[data-testid="launch-submit"]');
    await page.waitForURL(/\/runs\/[^/]+$/, { timeout: 30_000 });
    const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);

    // Live: the status badge and the epoch counter follow the worker without a reload. The page
    // opens before the worker has finished (it still has to claim the job and build the model), so
    // the badge first shows an earlier status; every status the badge takes is recorded in the page.
    await page.waitForSelector('h1 [data-status]');
    // (A string, evaluated in the browser: this package's TypeScript has no DOM types.)
    await page.evaluate(`{
      const seen = (window.seenStatuses = []);
      const record = () => {
        const s = document.querySelector('h1 [data-status]')?.getAttribute('data-status');
        if (s && seen[seen.length - 1] !== s) seen.push(s);
      };
      record();
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
    }`);
    try {
      await page.waitForSelector('h1 [data-status="done"]', { timeout: 120_000 });
    } catch (error) {
      await shot(page, '2-run-not-done');
      throw new Error(`run ${runId} did not reach done: ${(error as Error).message}\n--- worker ---\n${tail('worker')}\n--- web ---\n${tail('web')}`);
    }
    const seen = (await page.evaluate('window.seenStatuses')) as string[];
    expect(seen[0], `statuses seen: ${seen.join(' → ')}`).not.toBe('done');
    expect(seen[seen.length - 1]).toBe('done');
    console.log(`e2e: run ${runId} statuses seen live: ${seen.join(' → ')}`);
    // A curve is drawn (a flat line has an empty bounding box, so wait for it to exist, not to be "visible").
    await page.waitForSelector('[data-testid="chart-loss"] .recharts-line-curve', { state: 'attached' });
    await page.waitForSelector('[data-testid="run-result"]');
    expect(await page.textContent('[data-testid="run-progress"]')).toContain('epoch 2 / 2');
    expect(await page.textContent('[data-testid="run-logs"]')).not.toBe('No log lines yet.');
    expect(await page.locator('[data-testid="artifacts"] a[download]').count()).toBeGreaterThan(0);
    await shot(page, '2-run-done');

    // The runs table lists it as done.
    await page.goto(`${baseUrl}/runs`);
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('e2e-run');
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('done');
    // Model and strategy come from the runs' indexed columns; the filters run in the database.
    expect(await row.textContent()).toContain(tinyModel);
    expect(await row.textContent()).toContain('baseline');
    await page.selectOption('select[aria-label="filter by strategy"]', 'baseline');
    await page.waitForURL(/strategy=baseline/);
    await row.waitFor();
    await page.waitForSelector(`select[aria-label="filter by model"] option[value="${tinyModel}"]`, { state: 'attached' });
    await shot(page, '3-runs-table');
    await page.goto(`${baseUrl}/runs?strategy=distill-output`);
    await page.waitForSelector('[data-testid="runs-table"] td.muted');
    expect(await page.textContent('[data-testid="runs-table"]')).toContain('match these filters');
    expect(await row.count()).toBe(0);

    // Validation images with boxes: train() wrote them (from the evaluation thread's detections).
    expect(fs.existsSync(path.join(home, 'runs', runId, VAL_IMAGES_MANIFEST))).toBe(true);
    await page.goto(`${baseUrl}/runs/${encodeURIComponent(runId)}`);
    const panel = page.locator('[data-testid="validation-images"]');
    await panel.waitFor();
    expect(await panel.locator('svg rect').count()).toBeGreaterThanOrEqual(1);
    const href = await panel.locator('svg image').first().getAttribute('href');
    const image = await page.request.get(`${baseUrl}${href}`);
    expect(image.status()).toBe(200);
    expect(image.headers()['content-type']).toContain('image/jpeg');
    await panel.scrollIntoViewIfNeeded();
    await shot(page, '3b-validation-images');
  }, 300_000);

  it('says what a queued run waits for: its unfinished teacher, on the run page and in the runs table', async () => {
    const queue = async (name: string, extra: string[]) => {
      const out = await trainerCli(['run', '--name', name, '--model', tinyModel, '--data', tinyData, '--img', '64', '--batch', '4', '--queue', '--json', ...extra]);
      return (JSON.parse(out) as { run: { id: string } }).run.id;
    };
    // A long teacher: the worker is still on it (or it is still queued) while the page is looked at.
    const teacher = await queue('e2e-teacher', ['--epochs', '50']);
    const student = await queue('e2e-student', ['--epochs', '1', '--weights', teacher]);
    await page.goto(`${baseUrl}/runs/${encodeURIComponent(student)}`);
    await page.waitForSelector('[data-testid="waiting-for"]');
    expect(await page.textContent('[data-testid="waiting-for"]')).toMatch(/waiting for e2e-teacher (queued|running)/);
    expect(await page.textContent('[data-testid="run-dependencies"]')).toContain('e2e-teacher');
    await page.goto(`${baseUrl}/runs`);
    const row = page.locator(`tr[data-run-id="${student}"]`);
    await row.waitFor();
    expect(await row.textContent()).toMatch(/queued\s*waiting for e2e-teacher/);
    await shot(page, '3c-waiting-run');
  }, 120_000);

  it("Try it: runs the finished run's checkpoint in the browser on WASM, with boxes and a time", async () => {
    const jpegs: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (e.name.endsWith('.jpg')) jpegs.push(path.join(d, e.name));
      }
    };
    walk(path.join(home, 'tiny'));
    await page.goto(`${baseUrl}/try`);
    await page.waitForSelector('select[aria-label="model"]');
    await page.selectOption('select[aria-label="engine"]', 'wasm');
    await page.setInputFiles('input[aria-label="image"]', jpegs[0]!);
    await page.waitForSelector('text=image ready');
    await page.click('button:has-text("Detect")');
    // The model's panel: "<name> (wasm)" then "<ms> ms · <n> boxes" (an untrained model may find none).
    const timing = page.locator('.col.panel', { hasText: '(wasm)' }).locator('span.muted');
    await timing.waitFor({ timeout: 60_000 });
    expect(await timing.textContent()).toMatch(/^\d+(\.\d)? ms · \d+ boxes$/);
    expect(await page.locator('.col.panel p.error').count()).toBe(0);
    await shot(page, '3d-try-it-wasm');
  }, 120_000);

  it('opens the results tables', async () => {
    await page.goto(`${baseUrl}/results`);
    await page.waitForSelector('[data-testid="results-baseline"] table');
    expect(await page.textContent('[data-testid="results-baseline"]')).toContain('mobilev2-yolo5s');
    expect(await page.locator('section[data-testid^="results-"]').count()).toBeGreaterThanOrEqual(9);
    await shot(page, '4-results-tables');
  }, 60_000);

  it('answers an unknown run with a 404 page', async () => {
    const response = await page.goto(`${baseUrl}/runs/no-such-run`);
    expect(response?.status()).toBe(404);
    expect(await page.textContent('h1')).toContain('Not found');
  }, 60_000);
});
