/** The middleware's decision as a response: 401/503 (JSON for the API, text for pages), a redirect that sets the cookie, or pass. */
import { NextResponse, type NextRequest } from 'next/server';
import { decideAccess, TOKEN_COOKIE } from '~/server/auth/access-rule.ts';

export function guardRequest(request: NextRequest, bindHost: string, token: string | undefined): NextResponse {
  const decision = decideAccess(bindHost, token, {
    authorization: request.headers.get('authorization'),
    cookie: request.cookies.get(TOKEN_COOKIE)?.value ?? null,
    queryToken: request.nextUrl.searchParams.get('token'),
  });
  if (!decision.ok) {
    const isApi = request.nextUrl.pathname.startsWith('/api/');
    return isApi
      ? NextResponse.json({ error: { message: decision.message, httpStatus: decision.status } }, { status: decision.status })
      : new NextResponse(`${decision.status === 401 ? 'Unauthorized' : 'Unavailable'}: ${decision.message}\n`, {
          status: decision.status,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="distillery"' },
        });
  }
  if (decision.setCookie) {
    // The token came in the URL: keep it in an HttpOnly cookie and drop it from the address bar.
    const clean = request.nextUrl.clone();
    clean.searchParams.delete('token');
    const response = NextResponse.redirect(clean);
    response.cookies.set(TOKEN_COOKIE, decision.setCookie, { httpOnly: true, sameSite: 'strict', path: '/' });
    return response;
  }
  return NextResponse.next();
}
