// Pages: the proxy (proxy.ts) runs this before any page renders. It applies the one access check
// (lib/auth/access.ts authorize) with the page's need, and sets the page's Content-Security-Policy
// with a fresh nonce (Next.js puts it on its own scripts; the layout puts it on ours).
// API routes are not proxied (the proxy would buffer their bodies before the route's own bounded
// reader sees them): they check access in handle() and get their static headers from
// next.config.js.
import { randomBytes } from 'node:crypto';
import { NextResponse } from 'next/server';
import { type AccessNeed, authorize } from '../auth/access';
import { accessContext } from '../auth/context';
import type { ServerConfig } from '../config/access';
import { getRuntime } from '../engine/runtime';
import { DomainError, UnauthenticatedError } from '../errors';
import { statusOf } from '../api/respond';

/** Pages anyone may open: the login form, a snapshot by its unguessable link, a wall link. */
export function pageNeed(pathname: string): AccessNeed {
  if (pathname === '/login' || pathname.startsWith('/s/') || pathname.startsWith('/w/')) return 'public';
  return 'read';
}

/** The request header the layout reads the nonce from. */
export const NONCE_HEADER = 'x-nonce';

export function contentSecurityPolicy(
  nonce: string,
  server: Pick<ServerConfig, 'frameAncestors' | 'publicUrl'>,
  dev = false,
): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // React style attributes and the charts' inline styles: styles can't run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${server.frameAncestors.join(' ')}`,
    ...(server.publicUrl?.startsWith('https:') ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(`${text}\n`, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  });
}

/** The proxy's answer for a page request: NextResponse.next() with the CSP, or a redirect/denial. */
export async function gatePage(req: Request & { nextUrl: URL }): Promise<Response> {
  const rt = getRuntime();
  const { pathname, search } = req.nextUrl;
  const nonce = randomBytes(16).toString('base64');
  const csp = contentSecurityPolicy(nonce, rt.config.server, process.env.NODE_ENV === 'development');
  const security: Record<string, string> = { 'Content-Security-Policy': csp };
  if (rt.config.server.frameAncestors[0] === "'none'") security['X-Frame-Options'] = 'DENY';
  try {
    await authorize(req.headers, accessContext(rt), pageNeed(pathname));
  } catch (e) {
    if (e instanceof UnauthenticatedError && req.method === 'GET') {
      // Next.js wants an absolute URL here and sends the browser a relative one (same origin).
      const to = new URL(`/login?next=${encodeURIComponent(`${pathname}${search}`)}`, req.nextUrl);
      const res = NextResponse.redirect(to, 307);
      res.headers.set('Cache-Control', 'no-store');
      for (const [k, v] of Object.entries(security)) res.headers.set(k, v);
      return res;
    }
    if (e instanceof DomainError) {
      const s = statusOf(e);
      return plain(s.status, `${e.message}. Log in at /login.`, { ...s.headers, ...security });
    }
    throw e;
  }
  const headers = new Headers(req.headers);
  headers.set(NONCE_HEADER, nonce);
  headers.set('content-security-policy', csp);
  const res = NextResponse.next({ request: { headers } });
  for (const [k, v] of Object.entries(security)) res.headers.set(k, v);
  return res;
}
