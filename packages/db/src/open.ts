/**
 * `openDatabase()`: the one door to the run database. `DATABASE_URL=postgres://…` (or `url`) means the
 * team's PostgreSQL; otherwise the embedded SQLite file `<home>/distillery.db`, where home is `home`,
 * `DISTILLERY_HOME`, or `~/.distillery`. Migrations are applied on open.
 */
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore } from './store/sqlite-store.ts';
import type { RunStore } from './store/types.ts';

export interface OpenDatabaseOptions {
  /** `postgres://…`/`postgresql://…`, `sqlite:PATH`/`file:PATH`, or `:memory:`. Default: `DATABASE_URL`. */
  url?: string;
  /** The data folder for the SQLite file (default `DISTILLERY_HOME` or `~/.distillery`). */
  home?: string;
}

export function distilleryHome(home?: string): string {
  return path.resolve(home ?? process.env.DISTILLERY_HOME ?? path.join(os.homedir(), '.distillery'));
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<RunStore> {
  const url = options.url ?? (process.env.DATABASE_URL || undefined);
  if (isPostgresUrl(url)) {
    const { openPostgresStore } = await import('./store/pg-store.ts');
    return openPostgresStore(url);
  }
  if (url === ':memory:') return openSqliteStore(':memory:');
  if (url !== undefined) {
    const match = /^(?:sqlite|file):(.+)$/i.exec(url);
    if (!match) throw new Error(`DATABASE_URL "${url}" is neither postgres://… nor sqlite:PATH`);
    return openSqliteStore(path.resolve(match[1]));
  }
  return openSqliteStore(path.join(distilleryHome(options.home), 'distillery.db'));
}
