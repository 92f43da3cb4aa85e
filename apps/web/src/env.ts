/**
 * The dashboard's environment, parsed once with zod (create-t3-app style). Everything the server
 * reads from `process.env` goes through here so a bad value fails at start with a clear message.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const EnvSchema = z.object({
  /** Address the server binds to (`pnpm dev` passes it to `next -H`). Loopback needs no token. */
  DISTILLERY_HOST: z.string().min(1).default('127.0.0.1'),
  /** Required for every page and API call when DISTILLERY_HOST is not a loopback address. */
  DISTILLERY_TOKEN: z.string().min(16, 'DISTILLERY_TOKEN must be at least 16 characters').optional(),
  /** The data folder (database, runs, checkpoints); downloads never leave it. */
  DISTILLERY_HOME: z.string().min(1).optional(),
  /** Optional PostgreSQL URL; SQLite inside DISTILLERY_HOME otherwise. */
  DATABASE_URL: z.string().optional(),
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
});

export type Env = z.infer<typeof EnvSchema> & { dataDir: string };

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid environment: ${lines.join('; ')}`);
  }
  const dataDir = path.resolve(result.data.DISTILLERY_HOME ?? path.join(os.homedir(), '.distillery'));
  return { ...result.data, dataDir };
}

let cached: Env | undefined;
/** The parsed environment of this process (parsed on first use, then cached). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
