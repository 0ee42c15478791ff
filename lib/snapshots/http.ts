// What the snapshot routes share: the store, the rate limiter, the log reader, who created it.
// Throws domain errors (lib/errors.ts); handle() gives them their status codes.
import type { Access } from '../auth/access';
import type { Runtime } from '../engine/runtime';
import { NotFoundError, RateLimitError, UnavailableError } from '../errors';
import { rateTake } from '../auth/ratelimit';
import { getStore } from '../store';
import type { SnapshotStore } from '../store/types';
import { queryLogs } from '../logs/query';
import type { QueryLogsFn } from './excerpts';
import { SNAPSHOT_ID_RE } from './ids';

/**
 * RateLimitError (429 with Retry-After) when this client created too many snapshots in the last
 * minute, or all clients together more than ten times that (clients that change address). Counted
 * in the store: replicas sharing it share the limit.
 */
export async function takeCreation(access: Access, rt: Pick<Runtime, 'config'>): Promise<void> {
  const store = await storeOf(rt);
  const per = rt.config.snapshots.createPerMinute;
  const now = Date.now();
  const mine = await rateTake(store, `snapshot-create|${access.client}`, { limit: per, windowMs: 60_000 }, now);
  const all = await rateTake(store, 'snapshot-create|*', { limit: per * 10, windowMs: 60_000 }, now);
  const d = !mine.ok ? mine : all;
  if (!mine.ok || !all.ok)
    throw new RateLimitError(
      `too many snapshots: at most ${per} per minute per client and ${per * 10} from all clients (snapshots.createPerMinute); try again in ${d.retryAfterS} s`,
      d.retryAfterS,
    );
}

export async function storeOf(rt: Pick<Runtime, 'config'>): Promise<SnapshotStore> {
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
