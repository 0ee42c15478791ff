import { handle } from '@/lib/api/respond';
import { newSessionId, secureCookies, sessionCookie } from '@/lib/auth/access';
import { rateTake } from '@/lib/auth/ratelimit';
import { verifyWallLink, WALL_LINK_OPENS_PER_HOUR } from '@/lib/auth/wallLinks';
import { ForbiddenError, RateLimitError } from '@/lib/errors';
import { storeOf } from '@/lib/snapshots/http';

export const dynamic = 'force-dynamic';

/**
 * A wall link: when its signature holds and it is neither expired nor revoked, the browser gets a
 * viewer session tied to the link (until it expires) and goes to the link's page.
 */
export const GET = handle<{ token: string }>('public', async ({ req, rt, params }) => {
  const store = await storeOf(rt);
  const now = Date.now();
  const link = await verifyWallLink(store, params.token, now);
  if (!link) throw new ForbiddenError('this wall link is not valid: it expired, was revoked, or was altered');
  // Each opening stores a session: bounded per link (a few kiosks open it once each).
  const d = await rateTake(store, `wall-open|${link.id}`, { limit: WALL_LINK_OPENS_PER_HOUR, windowMs: 3600_000 }, now);
  if (!d.ok)
    throw new RateLimitError(`this wall link was opened too often: try again in ${d.retryAfterS} s`, d.retryAfterS);
  const { id, hash } = newSessionId();
  await store.insertSession({
    idHash: hash,
    role: 'viewer',
    user: `wall: ${link.name}`.slice(0, 64),
    via: 'wall-link',
    createdAt: now,
    expiresAt: link.expiresAt,
    linkId: link.id,
  });
  const headers = new Headers({ Location: link.path, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
  headers.append(
    'Set-Cookie',
    sessionCookie(id, (link.expiresAt - now) / 1000, secureCookies(req.headers, rt.config.server)),
  );
  return new Response(null, { status: 303, headers });
});
