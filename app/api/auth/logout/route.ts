import { parseForm } from '@/lib/api/parse';
import { handle } from '@/lib/api/respond';
import { LOGIN_FORM_MAX_BYTES, SESSION_COOKIE } from '@/lib/auth/admin';

export const dynamic = 'force-dynamic';

/** Clears the login cookie and goes back to `next` (a local path). */
export const POST = handle('public', async ({ req }) => {
  const form = await parseForm(req, LOGIN_FORM_MAX_BYTES);
  const n = form.get('next')?.toString() ?? '/';
  const next = n.startsWith('/') && !n.startsWith('//') ? n : '/';
  const headers = new Headers({ Location: next, 'Cache-Control': 'no-store' });
  headers.append('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
  return new Response(null, { status: 303, headers });
});
