/** Server-side caller for React Server Components (no HTTP round trip). */
import { headers } from 'next/headers';
import { cache } from 'react';
import { createCaller } from '~/server/api/root.ts';
import { createTRPCContext } from '~/server/api/trpc.ts';

const createContext = cache(async () => {
  const heads = new Headers(await headers());
  heads.set('x-trpc-source', 'rsc');
  return createTRPCContext({ headers: heads });
});

/** `await serverApi()` → a caller: `(await serverApi()).runs.get({ id })`. */
export async function serverApi() {
  return createCaller(await createContext());
}
