/**
 * Every request (pages, API, assets) passes the access rule (server/auth/access-rule.ts): free on a
 * loopback address; bound anywhere else, DISTILLERY_TOKEN is required.
 */
import type { NextRequest, NextResponse } from 'next/server';
import { env } from '~/env.ts';
import { guardRequest } from '~/server/auth/guard.ts';

export const config = {
  runtime: 'nodejs',
  matcher: '/:path*',
};

export function middleware(request: NextRequest): NextResponse {
  const { DISTILLERY_HOST, DISTILLERY_TOKEN } = env();
  return guardRequest(request, DISTILLERY_HOST, DISTILLERY_TOKEN);
}
