// What the snapshot routes share: the store, the rate limiter, the log reader, who created it.
// Throws domain errors (lib/errors.ts); handle() gives them their status codes.
import type { Access } from '../auth/admin';
import type { Runtime } from '../engine/runtime';
import { NotFoundError, RateLimitError, UnavailableError } from '../errors';
import { getStore } from '../store';
import type { SnapshotStore } from '../store/types';
import { queryLogs } from '../logs/query';
import type { QueryLogsFn } from './excerpts';
import { SNAPSHOT_ID_RE } from './ids';
import { RateLimiter, clientKey } from './ratelimit';

const LIMITER = Symbol.for('fulcrum.snapshotRateLimiter');
type Holder = { [LIMITER]?: { perMinute: number; limiter: RateLimiter } };

export function rateLimiter(perMinute: number): RateLimiter {
  const g = globalThis as Holder;
  if (!g[LIMITER] || g[LIMITER].perMinute !== perMinute)
    g[LIMITER] = { perMinute, limiter: new RateLimiter(perMinute) };
  return g[LIMITER].limiter;
}

/** RateLimitError (429 with Retry-After) when this client created too many snapshots in the last minute. */
export function takeCreation(req: Request, rt: Runtime): void {
  const d = rateLimiter(rt.config.snapshots.createPerMinute).take(clientKey(req.headers), Date.now());
  if (!d.ok) {
    throw new RateLimitError(
      `too many snapshots: at most ${rt.config.snapshots.createPerMinute} per minute per client (snapshots.createPerMinute); try again in ${d.retryAfterS} s`,
      d.retryAfterS,
    );
  }
}

export async function storeOf(rt: Runtime): Promise<SnapshotStore> {
  try {
    return await getStore(rt.config.snapshots);
  } catch (e) {
    console.error('fulcrum: snapshot store unavailable:', (e as Error).message);
    throw new UnavailableError(`snapshot store unavailable: ${(e as Error).message}`);
  }
}

const NOT_FOUND = 'no such snapshot (or it has expired or was deleted)';

export function validId(id: string): string {
  // Not a 400: an id that can't exist is simply not found (and says nothing about ids).
  if (!SNAPSHOT_ID_RE.test(id)) throw new NotFoundError(NOT_FOUND);
  return id;
}

export function notFound(): NotFoundError {
  return new NotFoundError(NOT_FOUND);
}

/** "Taken by": the login name or the proxy's user header; null when unknown. */
export function createdByOf(access: Access): string | null {
  return access.user;
}

/** The log reader for excerpts (lib/logs): member names etcd reports help match balancer lines. */
export function logReader(members: ReadonlyArray<{ endpoint: string; name: string }>): QueryLogsFn {
  const names = new Map(members.map((m) => [m.endpoint, m.name]));
  return (cluster, member, q) => queryLogs(cluster, member, q, { names });
}
