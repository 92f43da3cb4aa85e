/** A throwaway data folder with its own SQLite run store, and a tRPC caller on it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type EpochRecord, type FinalResult, type RunStore } from '@distillery/db';
import { parseEnv } from '~/env.ts';
import { createCaller } from '~/server/api/root.ts';
import type { TRPCContext } from '~/server/api/trpc.ts';

export interface Fixture {
  dataDir: string;
  store: RunStore;
  caller: ReturnType<typeof createCaller>;
  ctx: TRPCContext;
  cleanup(): Promise<void>;
}

export async function makeFixture(): Promise<Fixture> {
  const dataDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-web-')));
  // An explicit sqlite: URL, so a DATABASE_URL in the environment never points tests at a shared server.
  const store = await openDatabase({ url: `sqlite:${path.join(dataDir, 'distillery.db')}` });
  const ctx: TRPCContext = { store, env: parseEnv({ DISTILLERY_HOME: dataDir }), headers: new Headers() };
  return {
    dataDir,
    store,
    ctx,
    caller: createCaller(ctx),
    async cleanup() {
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function epoch(n: number, map50: number): EpochRecord {
  return { epoch: n, lbox: 0.1 / (n + 1), lobj: 0.2, lcls: 0.05, total: 0.35, lr: 0.01, precision: 0.5, recall: 0.6, map50, map5095: map50 / 2, imagesPerSec: 10, seconds: 1 };
}

/** Plays a worker: claims the run, records epochs and (optionally) finishes it. */
export async function playRun(store: RunStore, runId: string, opts: { epochs: number[]; result?: FinalResult; runDir?: string }): Promise<void> {
  const worker = 'test-worker';
  const claimed = await store.claimRun(runId, worker, { leaseMs: 60_000, host: 'testhost' });
  if (!claimed) throw new Error(`could not claim ${runId}`);
  if (opts.runDir) await store.setRunDir(runId, opts.runDir);
  for (const [i, m] of opts.epochs.entries()) await store.recordEpoch(runId, epoch(i, m));
  if (opts.result) await store.finishRun(runId, worker, opts.result);
}
