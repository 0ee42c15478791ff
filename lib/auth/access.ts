// Who may do what: the one access check. Every route handler reaches it through
// `handle(need, …)` (lib/api/respond.ts) and every page through the proxy (proxy.ts, via
// lib/http/pages.ts): `authorize(headers, ctx, need)`.
//
// Roles: viewer (read pages, streams and the read API) and admin (snapshots, imports, deletes,
// wall links, demo faults). A caller is one of:
// - a bearer token: the admin token (auth.adminTokenEnv) or a viewer token (auth.viewerTokensEnv);
// - a session: an id in an HttpOnly cookie whose hash is a row in the store (a token login or a
//   wall link); logout and revoking the wall link delete the row;
// - a user named by a trusted proxy (auth.userHeader/groupsHeader, only from server.trustedProxies),
//   admin or viewer by its groups;
// - anonymous: a viewer while no viewer credential is configured (reads open, as before), an
//   admin while no access control is configured at all (writes open, from this site only).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthConfig, ServerConfig } from '../config/access';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import { sha256Hex } from '../store/codec';
import type { AccessStore, Role } from '../store/types';
import { clientKey, fromTrustedProxy } from './client';

export type { Role };

export const SESSION_COOKIE = 'fulcrum_session';
/** The login and logout forms: a token, a name and a path. */
export const LOGIN_FORM_MAX_BYTES = 16 * 1024;
const NAME_MAX = 64;
const GROUPS_MAX = 64;

/**
 * What a request needs: `public` (anyone: health, metrics, a snapshot by its link, the login
 * form), `read` (a viewer: clusters, fleet, streams, pages), `logs` (viewer or admin, per
 * auth.logs), `write` (an admin, and from this site when a browser sends it).
 */
export type AccessNeed = 'public' | 'read' | 'logs' | 'write';

/** The WWW-Authenticate challenge sent with a 401. */
export const AUTH_CHALLENGE = 'Bearer realm="fulcrum"';

export interface Access {
  /** What the caller may do: null (nothing but public things), viewer (read) or admin (read and write). */
  role: Role | null;
  via: 'open' | 'bearer' | 'session' | 'proxy' | null;
  /** Login name (session), or the trusted proxy's user header. */
  user: string | null;
  /** Credentials were presented but were wrong, expired or revoked. */
  rejected: boolean;
  /** Writes need an admin (access control is configured). */
  required: boolean;
  /** Reads need a viewer. */
  readRequired: boolean;
  /** The caller may write (role admin). */
  granted: boolean;
  /** The key rate limits and stream caps count this client by. */
  client: string;
  /** sha256 of the session id, when the caller came with a session (logout deletes that row). */
  sessionHash: string | null;
}

/** What the check needs from the runtime: the access config and, for sessions, the store. */
export interface AccessContext {
  auth: AuthConfig;
  server: ServerConfig;
  store: () => Promise<AccessStore>;
}

function safeEqualText(a: string, b: string): boolean {
  // Hash both sides first: equal lengths, and no early exit on the first differing byte.
  return timingSafeEqual(Buffer.from(sha256Hex(a), 'hex'), Buffer.from(sha256Hex(b), 'hex'));
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

/** The role a bearer token grants, or null when it is none of the configured tokens. */
export function tokenRole(token: string, auth: AuthConfig): Role | null {
  const admin = auth.adminToken?.reveal();
  if (admin !== undefined && safeEqualText(token, admin)) return 'admin';
  let viewer = false;
  for (const t of auth.viewerTokens) if (safeEqualText(token, t.reveal())) viewer = true;
  return viewer ? 'viewer' : null;
}

/** A proxy user's role from its groups: admin if in an admin group; viewer if viewer groups are open or match. */
export function groupsRole(groups: string[], auth: AuthConfig): Role | null {
  if (auth.adminGroups.some((g) => groups.includes(g))) return 'admin';
  if (auth.viewerGroups.length === 0 || auth.viewerGroups.some((g) => groups.includes(g))) return 'viewer';
  return null;
}

export function parseGroups(header: string | null): string[] {
  if (!header) return [];
  return header
    .split(/[,;]/)
    .map((g) => g.trim())
    .filter(Boolean)
    .slice(0, GROUPS_MAX);
}

/** A new session id (for the cookie) and its hash (for the store). */
export function newSessionId(): { id: string; hash: string } {
  const id = randomBytes(32).toString('base64url');
  return { id, hash: sha256Hex(id) };
}

const SESSION_ID_RE = /^[A-Za-z0-9_-]{43}$/;

/** Who the caller is (no decision yet): from the request headers and, for a session cookie, the store. */
export async function identify(headers: Headers, ctx: AccessContext, now = Date.now()): Promise<Access> {
  const { auth, server } = ctx;
  const client = clientKey(headers, server.trusted);
  const trustedPeer = fromTrustedProxy(headers, server.trusted);
  const proxyUser = trustedPeer && auth.userHeader ? cleanName(headers.get(auth.userHeader)) : null;
  const base = {
    required: auth.writeRequired,
    readRequired: auth.readRequired,
    client,
    user: proxyUser,
    rejected: false,
    sessionHash: null as string | null,
  };
  const as = (role: Role | null, via: Access['via'], extra: Partial<Access> = {}): Access => ({
    ...base,
    role,
    via,
    granted: role === 'admin',
    ...extra,
  });
  if (!auth.writeRequired && !auth.readRequired) return as('admin', 'open');

  const authz = headers.get('authorization');
  if (authz) {
    const m = /^Bearer[ \t]+(\S{1,1024})[ \t]*$/i.exec(authz);
    const role = m ? tokenRole(m[1], auth) : null;
    if (role) return as(role, 'bearer');
    return as(null, null, { rejected: true });
  }

  let rejected = false;
  const cookie = readCookie(headers.get('cookie'), SESSION_COOKIE);
  if (cookie) {
    if (SESSION_ID_RE.test(cookie)) {
      const hash = sha256Hex(cookie);
      const s = await (await ctx.store()).getSession(hash, now);
      if (s) return as(s.role, 'session', { user: proxyUser ?? s.user, sessionHash: hash });
    }
    rejected = true;
  }

  if (proxyUser) {
    const role = groupsRole(auth.groupsHeader ? parseGroups(headers.get(auth.groupsHeader)) : [], auth);
    return as(role, 'proxy');
  }
  if (!auth.readRequired) return as('viewer', 'open', { rejected });
  return as(null, null, { rejected });
}

/** The caller may do what `role` may (admin includes viewer). */
export function hasRole(a: Access, role: Role): boolean {
  return role === 'viewer' ? a.role !== null : a.role === 'admin';
}

/** The origin a browser must send for a write: server.publicUrl's, or this request's Host. */
export function sameOrigin(headers: Headers, server: ServerConfig): boolean {
  if (headers.get('sec-fetch-site') === 'cross-site') return false;
  const origin = headers.get('origin');
  // No Origin: not a browser form or fetch (curl, scripts), which can't ride on a victim's session.
  if (origin === null) return true;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false; // includes "null" (sandboxed frames, opaque origins)
  }
  if (server.publicUrl) return o.origin === new URL(server.publicUrl).origin;
  const trustedPeer = fromTrustedProxy(headers, server.trusted);
  const host = (trustedPeer ? headers.get('x-forwarded-host') : null) ?? headers.get('host');
  return host !== null && o.host === host.trim().toLowerCase();
}

function denied(a: Access, role: Role): Error {
  if (a.rejected) return new ForbiddenError('the token is wrong, or the login has expired or was revoked');
  // No credentials at all (anonymous, or an anonymous reader where reads are open): say what to send.
  if (a.via === null || a.via === 'open')
    return new UnauthenticatedError(
      role === 'admin'
        ? 'admin access needed: send Authorization: Bearer <admin token>, or log in at /login'
        : 'viewer access needed: send Authorization: Bearer <viewer or admin token>, log in at /login, or open a wall link',
    );
  return new ForbiddenError(
    role === 'admin' ? 'this needs an admin: viewer access is read-only' : 'your account may not read this Fulcrum',
  );
}

/**
 * The one access check: who the caller is, or UnauthenticatedError (401: no credentials) /
 * ForbiddenError (403: wrong, expired or revoked credentials, a role that may not, or a
 * cross-site request riding on ambient credentials). A write from a browser (session cookie,
 * proxy user, or open access) must come from this site; a bearer token is never sent by a
 * browser on its own, so it needs no origin check.
 */
export async function authorize(
  headers: Headers,
  ctx: AccessContext,
  need: AccessNeed,
  now = Date.now(),
): Promise<Access> {
  const a = await identify(headers, ctx, now);
  if (need === 'public') return a;
  const role: Role = need === 'write' || (need === 'logs' && ctx.auth.logs === 'admin') ? 'admin' : 'viewer';
  if (!hasRole(a, role)) throw denied(a, role);
  if (need === 'write' && a.via !== 'bearer' && !sameOrigin(headers, ctx.server))
    throw new ForbiddenError('cross-site request refused');
  return a;
}

/** The Set-Cookie value for a new session (or, with id null, one that clears it). */
export function sessionCookie(id: string | null, maxAgeS: number, secure: boolean): string {
  const v = id ?? '';
  const age = id === null ? 0 : Math.max(1, Math.floor(maxAgeS));
  return `${SESSION_COOKIE}=${v}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${age}${secure ? '; Secure' : ''}`;
}

/** Cookies get Secure when people reach Fulcrum over https (server.publicUrl, or a trusted proxy says so). */
export function secureCookies(headers: Headers, server: ServerConfig): boolean {
  if (server.publicUrl) return server.publicUrl.startsWith('https:');
  return fromTrustedProxy(headers, server.trusted) && headers.get('x-forwarded-proto') === 'https';
}
