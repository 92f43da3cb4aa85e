/**
 * The dashboard's one RunStore (SQLite in the data folder, or DATABASE_URL's PostgreSQL), opened on
 * first use and kept on globalThis so Next's dev-mode module reloading does not open a new one per edit.
 */
import { openDatabase, type RunStore } from '@distillery/db';
import { env } from '~/env.ts';

const holder = globalThis as typeof globalThis & { __distilleryStore?: Promise<RunStore> };

export function getStore(): Promise<RunStore> {
  holder.__distilleryStore ??= openDatabase({ home: env().dataDir, url: env().DATABASE_URL || undefined }).catch((error: unknown) => {
    holder.__distilleryStore = undefined;
    throw error;
  });
  return holder.__distilleryStore;
}
