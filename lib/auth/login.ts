// Logging in and out: a token (admin or viewer) becomes a server-side session (a random id in an
// HttpOnly cookie, its hash in the store); logout deletes the row. Wrong tokens are limited per
// client and, against clients that rotate addresses, for all clients together; both counts live
// in the store, so replicas share them.
import type { AuthConfig, ServerConfig } from '../config/access';
import { ForbiddenError } from '../errors';
import type { AccessStore, Role, SessionRow } from '../store/types';
import { type Access, cleanName, newSessionId, sameOrigin, tokenRole } from './access';
import { ratePeek, rateTake } from './ratelimit';

/** Wrong tokens one client may send per minute. */
export const LOGIN_FAILS_PER_CLIENT = 10;
/** Wrong tokens all clients together may send per minute: beyond it, logins wait (bearer tokens still work). */
export const LOGIN_FAILS_GLOBAL = 100;
const MINUTE = { windowMs: 60_000 };

export type LoginOutcome =
  | { kind: 'ok'; sessionId: string; session: SessionRow }
  | { kind: 'wrong' | 'missing' | 'too-many' | 'open' };

/** Checks a login form's token and, when right, stores a session. */
export async function login(
  store: AccessStore,
  auth: AuthConfig,
  input: { token: string; name: string | null; client: string },
  now: number,
): Promise<LoginOutcome> {
  if (!auth.writeRequired && !auth.readRequired) return { kind: 'open' };
  if (!input.token) return { kind: 'missing' };
  const mine = `login-fail|${input.client}`;
  const all = 'login-fail|*';
  const blocked =
    !(await ratePeek(store, mine, { limit: LOGIN_FAILS_PER_CLIENT, ...MINUTE }, now)).ok ||
    !(await ratePeek(store, all, { limit: LOGIN_FAILS_GLOBAL, ...MINUTE }, now)).ok;
  if (blocked) return { kind: 'too-many' };
  const role: Role | null = input.token.length <= 1024 ? tokenRole(input.token, auth) : null;
  if (!role) {
    await rateTake(store, mine, { limit: LOGIN_FAILS_PER_CLIENT, ...MINUTE }, now);
    await rateTake(store, all, { limit: LOGIN_FAILS_GLOBAL, ...MINUTE }, now);
    return { kind: 'wrong' };
  }
  const { id, hash } = newSessionId();
  const session: SessionRow = {
    idHash: hash,
    role,
    user: cleanName(input.name),
    via: 'token',
    createdAt: now,
    expiresAt: now + auth.sessionTtlMs,
    linkId: null,
  };
  await store.insertSession(session);
  return { kind: 'ok', sessionId: id, session };
}

/** Ends the caller's session (deletes its row). A cross-site logout is refused. */
export async function logout(
  store: AccessStore,
  access: Access,
  headers: Headers,
  server: ServerConfig,
): Promise<void> {
  if (!sameOrigin(headers, server)) throw new ForbiddenError('cross-site request refused');
  if (access.sessionHash) await store.deleteSession(access.sessionHash);
}
