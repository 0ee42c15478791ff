// Write access: a shared admin token from an env var, presented as `Authorization: Bearer` or
// through a login cookie (an HMAC of the token, an expiry and the login name: the cookie never
// holds the token). Comparisons are constant-time; the token is never logged or echoed.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthConfig } from '../config/load';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import { sha256Hex } from '../store/codec';

export const SESSION_COOKIE = 'fulcrum_session';
export const SESSION_TTL_S = 12 * 3600;
/** The login and logout forms: a token, a name and a path. */
export const LOGIN_FORM_MAX_BYTES = 16 * 1024;
const NAME_MAX = 64;

export interface Access {
  /** Access control is configured (an admin token exists). */
  required: boolean;
  /** The caller may create, list and delete snapshots. */
  granted: boolean;
  via: 'open' | 'bearer' | 'cookie' | null;
  /** Login name from the session, or the configured user header. */
  user: string | null;
  /** Credentials were presented but were wrong or expired. */
  rejected: boolean;
}

function safeEqualText(a: string, b: string): boolean {
  // Hash both sides first: equal lengths, and no early exit on the first differing byte.
  const ha = Buffer.from(sha256Hex(a), 'hex');
  const hb = Buffer.from(sha256Hex(b), 'hex');
  return timingSafeEqual(ha, hb);
}

function sessionMac(token: string, exp: number, name: string): string {
  return createHmac('sha256', token).update(`fulcrum-session|${exp}|${name}`).digest('base64url');
}

/** A cleaned display name: printable, bounded; null when empty. */
export function cleanName(s: string | null | undefined): string | null {
  if (!s) return null;
  const t = s
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, NAME_MAX);
  return t || null;
}

export function makeSessionCookieValue(token: string, name: string | null, now = Date.now()): string {
  const exp = Math.floor(now / 1000) + SESSION_TTL_S;
  const n = cleanName(name) ?? '';
  return `${exp}.${Buffer.from(n, 'utf8').toString('base64url')}.${sessionMac(token, exp, n)}`;
}

/** The login name when the cookie is valid and unexpired; undefined when it is not. */
export function verifySessionCookie(
  token: string,
  value: string,
  now = Date.now(),
): { name: string | null } | undefined {
  const parts = value.split('.');
  if (parts.length !== 3) return undefined;
  const exp = Number(parts[0]);
  if (!Number.isInteger(exp) || exp * 1000 <= now) return undefined;
  let name: string;
  try {
    name = Buffer.from(parts[1], 'base64url').toString('utf8');
  } catch {
    return undefined;
  }
  if (!safeEqualText(parts[2], sessionMac(token, exp, name))) return undefined;
  return { name: name || null };
}

export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Who the caller is, from request headers (route handlers) or `headers()` (server components). */
export function accessOf(headers: Headers, auth: AuthConfig, now = Date.now()): Access {
  const headerUser = auth.userHeader ? cleanName(headers.get(auth.userHeader)) : null;
  const token = auth.adminToken?.reveal() ?? null;
  if (token === null) return { required: false, granted: true, via: 'open', user: headerUser, rejected: false };
  const authz = headers.get('authorization');
  if (authz) {
    const m = /^Bearer\s+(.+)$/i.exec(authz.trim());
    const ok = m !== null && safeEqualText(m[1].trim(), token);
    return { required: true, granted: ok, via: ok ? 'bearer' : null, user: headerUser, rejected: !ok };
  }
  const cookie = readCookie(headers.get('cookie'), SESSION_COOKIE);
  if (cookie) {
    const s = verifySessionCookie(token, cookie, now);
    if (s) return { required: true, granted: true, via: 'cookie', user: headerUser ?? s.name, rejected: false };
    return { required: true, granted: false, via: null, user: headerUser, rejected: true };
  }
  return { required: true, granted: false, via: null, user: headerUser, rejected: false };
}

function sameOrigin(headers: Headers): boolean {
  if (headers.get('sec-fetch-site') === 'cross-site') return false;
  const origin = headers.get('origin');
  if (!origin || origin === 'null') return true;
  const host = headers.get('x-forwarded-host') ?? headers.get('host');
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * What a request needs: `public` (anyone: health, metrics, a snapshot by its link), `read` (see
 * clusters and their data), `write` (create, list and delete snapshots, inject demo faults).
 */
export type AccessNeed = 'public' | 'read' | 'write';

/** The WWW-Authenticate challenge sent with a 401. */
export const AUTH_CHALLENGE = 'Bearer realm="fulcrum"';

/**
 * The one access check every route goes through (`handle(need, …)` calls it): answers who the
 * caller is, or throws UnauthenticatedError (no credentials) / ForbiddenError (wrong or expired
 * credentials, or a cross-site request riding on ambient credentials).
 *
 * `read` is open to everyone today; viewer tokens and trusted-proxy users add their check here.
 * A write by a browser (login cookie, or no access control at all) must come from this site:
 * a bearer token is never sent by a browser on its own, so it needs no origin check.
 */
export function authorize(req: Request, auth: AuthConfig, need: AccessNeed): Access {
  const a = accessOf(req.headers, auth);
  if (need !== 'write') return a;
  if (!a.granted) {
    if (a.rejected) throw new ForbiddenError('the admin token is wrong or the login has expired');
    throw new UnauthenticatedError(
      'write access needed: send Authorization: Bearer <admin token>, or log in at /login',
    );
  }
  if (a.via !== 'bearer' && !sameOrigin(req.headers)) throw new ForbiddenError('cross-site request refused');
  return a;
}
