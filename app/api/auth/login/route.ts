import { parseForm } from '@/lib/api/parse';
import { handle } from '@/lib/api/respond';
import { LOGIN_FORM_MAX_BYTES, secureCookies, sessionCookie } from '@/lib/auth/access';
import { login } from '@/lib/auth/login';
import { localPathOr400 } from '@/lib/auth/redirect';
import { storeOf } from '@/lib/snapshots/http';

export const dynamic = 'force-dynamic';

function redirect(to: string, cookie?: string): Response {
  const headers = new Headers({ Location: to, 'Cache-Control': 'no-store' });
  if (cookie) headers.append('Set-Cookie', cookie);
  return new Response(null, { status: 303, headers });
}

/**
 * The login form's target (form-encoded `token`, `name`, `next`): a right token (admin or viewer)
 * starts a server-side session (an HttpOnly cookie holding a random id) and goes back to `next`, a
 * path on this site (anything else is a 400). Wrong tokens: at most 10 a minute per client and
 * 100 from all clients together.
 */
export const POST = handle('public', async ({ req, rt, access }) => {
  const form = await parseForm(req, LOGIN_FORM_MAX_BYTES);
  const next = localPathOr400(form.get('next')?.toString(), 'next');
  const back = (error: string) => redirect(`/login?error=${error}&next=${encodeURIComponent(next)}`);
  const store = await storeOf(rt);
  const r = await login(
    store,
    rt.config.auth,
    { token: form.get('token')?.toString() ?? '', name: form.get('name')?.toString() ?? null, client: access.client },
    Date.now(),
  );
  if (r.kind === 'open') return redirect(next);
  if (r.kind !== 'ok') return back(r.kind);
  const secure = secureCookies(req.headers, rt.config.server);
  return redirect(next, sessionCookie(r.sessionId, (r.session.expiresAt - r.session.createdAt) / 1000, secure));
});
