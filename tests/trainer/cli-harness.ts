/**
 * Drives the real `pnpm trainer` CLI in child processes (so signals and kill -9 are real), with the
 * fake trainer from apps/trainer/test/fixtures injected through DISTILLERY_TRAINER_MODULE.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseRunConfig } from '@distillery/core';
import { openDatabase, type Run, type RunStore } from '@distillery/db';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repoRoot, 'apps/trainer/src/cli.ts');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
export const fakeTrainer = pathToFileURL(path.join(repoRoot, 'apps/trainer/test/fixtures/fake-trainer.ts')).href;

export interface Sandbox {
  home: string;
  env: NodeJS.ProcessEnv;
  executionLog: string;
  open(): Promise<RunStore>;
  dispose(): void;
}

export function sandbox(extraEnv: NodeJS.ProcessEnv = {}): Sandbox {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-e2e-'));
  const executionLog = path.join(home, 'executions.log');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DISTILLERY_HOME: home,
    DISTILLERY_TRAINER_MODULE: fakeTrainer,
    DISTILLERY_LEASE_MS: '1500',
    FAKE_EXECUTION_LOG: executionLog,
    DATABASE_URL: '',
    ...extraEnv,
  };
  return {
    home,
    env,
    executionLog,
    open: () => openDatabase({ home, url: env.DATABASE_URL || undefined }),
    dispose: () => fs.rmSync(home, { recursive: true, force: true }),
  };
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function start(box: Sandbox, args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Result> } {
  const child = spawn(process.execPath, ['--import', tsxLoader, cli, ...args], {
    cwd: repoRoot,
    env: { ...box.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Result>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export const trainer = (box: Sandbox, args: string[], env: NodeJS.ProcessEnv = {}) => start(box, args, env).done;

/** Polls the database until `predicate` holds for the run (fails after `limitMs`). */
export async function waitForRun(box: Sandbox, id: string, predicate: (run: Run) => boolean, limitMs = 60_000): Promise<Run> {
  const store = await box.open();
  try {
    const until = Date.now() + limitMs;
    for (;;) {
      const run = await store.getRun(id);
      if (run && predicate(run)) return run;
      if (Date.now() > until) throw new Error(`run ${id} never reached the expected state (last: ${JSON.stringify(run)})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await store.close();
  }
}

/** Queues runs directly through the repository (as the dashboard would), with validated configs. */
export async function queueRuns(box: Sandbox, names: string[], epochs: number): Promise<string[]> {
  const store = await box.open();
  const ids: string[] = [];
  for (const name of names) {
    const config = parseRunConfig({ name, epochs, img: 64, batch: 2 });
    ids.push((await store.createRun({ name, config })).id);
  }
  await store.close();
  return ids;
}

export function executions(box: Sandbox): Array<{ name: string; pid: number; startEpoch: number }> {
  if (!fs.existsSync(box.executionLog)) return [];
  return fs
    .readFileSync(box.executionLog, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, pid, startEpoch] = line.split(' ');
      return { name, pid: Number(pid), startEpoch: Number(startEpoch) };
    });
}
