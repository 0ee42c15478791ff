// Route plumbing shared by the snapshot handlers: the store, the rate limiter, the log reader,
// bounded bodies, who created it.
import { ApiError } from '../api/respond';
import type { Access } from '../auth/admin';
import type { Runtime } from '../engine/runtime';
import { getStore } from '../store';
import { CorruptSnapshotError } from '../store/codec';
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

/** 429 with Retry-After when this client created too many snapshots in the last minute. */
export function takeCreation(req: Request, rt: Runtime): void {
  const d = rateLimiter(rt.config.snapshots.createPerMinute).take(clientKey(req.headers), Date.now());
  if (!d.ok) {
    throw new ApiError(
      429,
      `too many snapshots: at most ${rt.config.snapshots.createPerMinute} per minute per client (snapshots.createPerMinute); try again in ${d.retryAfterS} s`,
      { 'Retry-After': String(d.retryAfterS) },
    );
  }
}

export async function storeOf(rt: Runtime): Promise<SnapshotStore> {
  try {
    return await getStore(rt.config.snapshots);
  } catch (e) {
    console.error('fulcrum: snapshot store unavailable:', (e as Error).message);
    throw new ApiError(503, `snapshot store unavailable: ${(e as Error).message}`);
  }
}

export function validId(id: string): string {
  // Not a 400: an id that can't exist is simply not found (and says nothing about ids).
  if (!SNAPSHOT_ID_RE.test(id)) throw new ApiError(404, 'no such snapshot (or it has expired or was deleted)');
  return id;
}

export function notFound(): ApiError {
  return new ApiError(404, 'no such snapshot (or it has expired or was deleted)');
}

/** Turns a damaged stored body into a clear 500 instead of a crash. */
export function corrupt(e: unknown): never {
  if (e instanceof CorruptSnapshotError) throw new ApiError(500, e.message);
  throw e;
}

/** Reads at most `max` bytes of the body; 413 past it. */
export async function readBodyLimited(req: Request, max: number): Promise<string> {
  const len = Number(req.headers.get('content-length') ?? NaN);
  const tooLarge = () =>
    new ApiError(413, `request body too large: over the ${(max / 1e6).toFixed(1)} MB limit (snapshots.maxBytes)`);
  if (Number.isFinite(len) && len > max) throw tooLarge();
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
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
