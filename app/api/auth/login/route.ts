import { parseForm } from '@/lib/api/parse';
import { handle } from '@/lib/api/respond';
import {
  LOGIN_FORM_MAX_BYTES,
  SESSION_COOKIE,
  SESSION_TTL_S,
  cleanName,
  makeSessionCookieValue,
} from '@/lib/auth/admin';
import { RateLimiter, clientKey } from '@/lib/snapshots/ratelimit';
import { timingSafeEqual, createHash } from 'node:crypto';

export const dynamic = 'force-dynamic';

const FAILS = Symbol.for('fulcrum.loginFailures');
type Holder = { [FAILS]?: RateLimiter };
function failures(): RateLimiter {
  const g = globalThis as Holder;
  g[FAILS] ??= new RateLimiter(10);
  return g[FAILS];
}

/** Only local paths: never an open redirect. */
function safeNext(n: string | null): string {
  return n?.startsWith('/') && !n.startsWith('//') && !n.startsWith('/\\') ? n : '/';
}

function redirect(to: string, cookie?: string): Response {
  const headers = new Headers({ Location: to, 'Cache-Control': 'no-store' });
  if (cookie) headers.append('Set-Cookie', cookie);
  return new Response(null, { status: 303, headers });
}

function same(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/**
 * The login form's target (form-encoded `token`, `name`, `next`): sets an HttpOnly session
 * cookie (an HMAC, never the token) and goes back to `next`. At most 10 wrong tokens a minute
 * per client.
 */
export const POST = handle('public', async ({ req, rt }) => {
  const form = await parseForm(req, LOGIN_FORM_MAX_BYTES);
  const next = safeNext(form.get('next')?.toString() ?? null);
  const back = (error: string) => redirect(`/login?error=${error}&next=${encodeURIComponent(next)}`);
  const token = rt.config.auth.adminToken?.reveal() ?? null;
  if (token === null) return redirect(next);
  const given = form.get('token')?.toString() ?? '';
  if (!given) return back('missing');
  const key = clientKey(req.headers);
  if (failures().blocked(key, Date.now())) return back('too-many');
  if (!same(given, token)) {
    failures().take(key, Date.now());
    return back('wrong');
  }
  const name = cleanName(form.get('name')?.toString());
  const secure = (req.headers.get('x-forwarded-proto') ?? new URL(req.url).protocol.replace(':', '')) === 'https';
  const cookie = `${SESSION_COOKIE}=${makeSessionCookieValue(token, name)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_S}${secure ? '; Secure' : ''}`;
  return redirect(next, cookie);
});
