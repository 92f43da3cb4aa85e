/** Errors the routers raise; tRPC turns each code into its HTTP status (404, 400), never a 500. */
import { TRPCError } from '@trpc/server';

export function notFound(what: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `${what} not found` });
}

export function badRequest(message: string, cause?: unknown): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message, cause });
}
