/**
 * tRPC setup (create-t3-app layout): the request context, the error shape, and the procedure
 * builders every router uses. Inputs are zod schemas, so a malformed request fails validation and
 * gets a 400 BAD_REQUEST with the zod issues, never a 500.
 */
import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { env, type Env } from '~/env.ts';
import type { RunStore } from '@distillery/db';
import { getStore } from '~/server/store/open.ts';

export interface TRPCContext {
  store: RunStore;
  env: Env;
  headers: Headers;
}

export async function createTRPCContext(opts: { headers: Headers }): Promise<TRPCContext> {
  return { store: await getStore(), env: env(), headers: opts.headers };
}

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        // Field errors for forms: `{ "hyp.lr0": ["Number must be greater than 0"] }`.
        zodError: error.cause instanceof ZodError ? fieldErrors(error.cause) : null,
      },
    };
  },
});

export function fieldErrors(error: ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '(root)';
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;
export const publicProcedure = t.procedure;
