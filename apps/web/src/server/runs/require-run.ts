import type { Run, RunStore } from '@distillery/db';
import { z } from 'zod';
import { notFound } from '~/server/api/errors.ts';

export const RunIdSchema = z.string().min(1).max(128);

export async function requireRun(store: RunStore, id: string): Promise<Run> {
  const run = await store.getRun(id);
  if (!run) throw notFound(`run ${JSON.stringify(id)}`);
  return run;
}
