import type { RunStore } from './types.ts';

export async function openPostgresStore(_url: string): Promise<RunStore> {
  throw new Error('PostgreSQL store: not implemented yet');
}
