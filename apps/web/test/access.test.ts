/** Who may use the dashboard: loopback free, anything else needs DISTILLERY_TOKEN (fail closed). */
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { decideAccess, isLoopbackHost, TOKEN_COOKIE } from '~/server/auth/access-rule.ts';
import { guardRequest } from '~/server/auth/guard.ts';

const TOKEN = 'correct-horse-battery-staple';

describe('access rule', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '127.0.0.1.evil.com']) expect(isLoopbackHost(h)).toBe(false);
  });

  it('lets everyone in on loopback, even without a token configured', () => {
    expect(decideAccess('127.0.0.1', undefined, {})).toEqual({ ok: true });
  });

  it('refuses everything when bound elsewhere without a configured token', () => {
    const d = decideAccess('0.0.0.0', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(d).toMatchObject({ ok: false, status: 503 });
  });

  it('requires the token when bound elsewhere: header, cookie or query', () => {
    expect(decideAccess('0.0.0.0', TOKEN, {})).toMatchObject({ ok: false, status: 401 });
    expect(decideAccess('0.0.0.0', TOKEN, { authorization: 'Bearer wrong' })).toMatchObject({ ok: false, status: 401 });
    expect(decideAccess('0.0.0.0', TOKEN, { authorization: `Bearer ${TOKEN}x` })).toMatchObject({ ok: false, status: 401 });
    expect(decideAccess('0.0.0.0', TOKEN, { authorization: `Bearer ${TOKEN}` })).toEqual({ ok: true });
    expect(decideAccess('0.0.0.0', TOKEN, { cookie: TOKEN })).toEqual({ ok: true });
    expect(decideAccess('0.0.0.0', TOKEN, { queryToken: TOKEN })).toEqual({ ok: true, setCookie: TOKEN });
  });
});

describe('middleware guard', () => {
  const req = (url: string, init?: { headers?: Record<string, string> }) => new NextRequest(new URL(url), { headers: init?.headers });

  it('passes every request on loopback', () => {
    const res = guardRequest(req('http://127.0.0.1:3000/api/trpc/runs.list'), '127.0.0.1', undefined);
    expect(res.headers.get('x-middleware-next')).toBe('1');
  });

  it('answers API calls without the token with a JSON 401, pages with a text 401', async () => {
    const api = guardRequest(req('http://10.0.0.2:3000/api/trpc/runs.list'), '0.0.0.0', TOKEN);
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: { message: string } }).error.message).toContain('DISTILLERY_TOKEN');
    const page = guardRequest(req('http://10.0.0.2:3000/runs'), '0.0.0.0', TOKEN);
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toContain('text/plain');
    const asset = guardRequest(req('http://10.0.0.2:3000/_next/static/chunks/main.js'), '0.0.0.0', TOKEN);
    expect(asset.status).toBe(401);
    const download = guardRequest(req('http://10.0.0.2:3000/api/files?path=runs/x/a.jpg'), '0.0.0.0', TOKEN);
    expect(download.status).toBe(401);
  });

  it('accepts the bearer token and the cookie', () => {
    const withHeader = guardRequest(req('http://10.0.0.2:3000/runs', { headers: { authorization: `Bearer ${TOKEN}` } }), '0.0.0.0', TOKEN);
    expect(withHeader.headers.get('x-middleware-next')).toBe('1');
    const withCookie = guardRequest(req('http://10.0.0.2:3000/runs', { headers: { cookie: `${TOKEN_COOKIE}=${TOKEN}` } }), '0.0.0.0', TOKEN);
    expect(withCookie.headers.get('x-middleware-next')).toBe('1');
  });

  it('turns ?token= into an HttpOnly cookie and a redirect to the clean URL', () => {
    const res = guardRequest(req(`http://10.0.0.2:3000/runs?page=2&token=${TOKEN}`), '0.0.0.0', TOKEN);
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('http://10.0.0.2:3000/runs?page=2');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`${TOKEN_COOKIE}=${TOKEN}`);
    expect(cookie.toLowerCase()).toContain('httponly');
  });
});
