/**
 * Who may talk to the dashboard. On a loopback address only this machine can reach it, so no token
 * is asked for; bound anywhere else, every page and API call must present DISTILLERY_TOKEN (as a
 * `Authorization: Bearer` header, the `distillery_token` cookie, or `?token=` once, which sets the
 * cookie). Without a configured token a non-loopback server refuses everything (fail closed).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const TOKEN_COOKIE = 'distillery_token';

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export interface PresentedCredentials {
  authorization?: string | null;
  cookie?: string | null;
  queryToken?: string | null;
}

export type AccessDecision =
  | { ok: true; setCookie?: string }
  | { ok: false; status: 401 | 503; message: string };

/** Compares in constant time (hashing first so lengths never leak). */
export function tokensEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function decideAccess(bindHost: string, expectedToken: string | undefined, given: PresentedCredentials): AccessDecision {
  if (isLoopbackHost(bindHost)) return { ok: true };
  if (!expectedToken) {
    return {
      ok: false,
      status: 503,
      message: `the dashboard is bound to ${bindHost}, which is not a loopback address; set DISTILLERY_TOKEN to allow access`,
    };
  }
  const bearer = given.authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  for (const candidate of [bearer, given.cookie, given.queryToken]) {
    if (candidate && tokensEqual(candidate, expectedToken)) {
      return given.queryToken && candidate === given.queryToken ? { ok: true, setCookie: candidate } : { ok: true };
    }
  }
  return { ok: false, status: 401, message: 'a valid DISTILLERY_TOKEN is required (Authorization: Bearer <token>, or ?token=<token> once)' };
}
