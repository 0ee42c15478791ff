import { parseForm } from '@/lib/api/parse';
import { handle } from '@/lib/api/respond';
import { LOGIN_FORM_MAX_BYTES, secureCookies, sessionCookie } from '@/lib/auth/access';
import { logout } from '@/lib/auth/login';
import { localPathOr400 } from '@/lib/auth/redirect';
import { storeOf } from '@/lib/snapshots/http';

export const dynamic = 'force-dynamic';

/** Ends the session (its row is deleted: the cookie is worthless even if kept) and goes to `next`, a local path. Same-site only. */
export const POST = handle('public', async ({ req, rt, access }) => {
  const form = await parseForm(req, LOGIN_FORM_MAX_BYTES);
  const next = localPathOr400(form.get('next')?.toString(), 'next');
  await logout(await storeOf(rt), access, req.headers, rt.config.server);
  const headers = new Headers({ Location: next, 'Cache-Control': 'no-store' });
  headers.append('Set-Cookie', sessionCookie(null, 0, secureCookies(req.headers, rt.config.server)));
  return new Response(null, { status: 303, headers });
});
