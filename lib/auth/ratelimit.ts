// Rate limits counted in the store, so every replica sharing it (PostgreSQL) counts together:
// a sliding window estimated from two fixed windows (the previous window's count weighted by how
// much of it still overlaps, plus the current one's), one upsert per counted event.
import type { AccessStore } from '../store/types';

export interface RateDecision {
  ok: boolean;
  /** Seconds until the estimate falls below the limit again (when !ok). */
  retryAfterS: number;
  /** The estimate after this event. */
  count: number;
}

export interface RateRule {
  /** Events allowed per window. */
  limit: number;
  /** At most MAX_WINDOW_MS (older windows are purged). */
  windowMs: number;
}

export const MAX_WINDOW_MS = 3600_000;

function windows(now: number, windowMs: number) {
  const cur = Math.floor(now / windowMs) * windowMs;
  return { cur, prev: cur - windowMs, overlap: 1 - (now - cur) / windowMs };
}

function estimate(prevCount: number, curCount: number, overlap: number): number {
  return prevCount * overlap + curCount;
}

/** When the estimate drops to `limit - 1` (room for one more), in seconds from now, at least 1. */
function retryAfter(prevCount: number, curCount: number, rule: RateRule, now: number): number {
  const { cur } = windows(now, rule.windowMs);
  // In this window, the estimate falls as the previous window slides out.
  if (prevCount > 0 && curCount < rule.limit) {
    const overlapNeeded = (rule.limit - 1 - curCount) / prevCount;
    const t = cur + (1 - Math.max(0, overlapNeeded)) * rule.windowMs;
    if (t > now) return Math.max(1, Math.ceil((t - now) / 1000));
  }
  // Otherwise in the next window, as this one slides out.
  const overlapNeeded = curCount > 0 ? Math.max(0, (rule.limit - 1) / curCount) : 1;
  const t = cur + rule.windowMs + (1 - Math.min(1, overlapNeeded)) * rule.windowMs;
  return Math.max(1, Math.ceil((t - now) / 1000));
}

/** Counts one event in `bucket` and says whether it was within the limit (it counts either way). */
export async function rateTake(store: AccessStore, bucket: string, rule: RateRule, now: number): Promise<RateDecision> {
  const w = windows(now, rule.windowMs);
  const [prev] = await store.rateGet(bucket, [w.prev]);
  const cur = await store.rateAdd(bucket, w.cur, 1);
  const count = estimate(prev, cur, w.overlap);
  maybePurge(store, now);
  if (count <= rule.limit) return { ok: true, retryAfterS: 0, count };
  return { ok: false, retryAfterS: retryAfter(prev, cur, rule, now), count };
}

/** Whether one more event would be over the limit (counts nothing). */
export async function ratePeek(store: AccessStore, bucket: string, rule: RateRule, now: number): Promise<RateDecision> {
  const w = windows(now, rule.windowMs);
  const [prev, cur] = await store.rateGet(bucket, [w.prev, w.cur]);
  const count = estimate(prev, cur, w.overlap);
  if (count + 1 <= rule.limit) return { ok: true, retryAfterS: 0, count };
  return { ok: false, retryAfterS: retryAfter(prev, cur, rule, now), count };
}

const LAST_PURGE = Symbol.for('fulcrum.lastAccessPurge');
type Holder = { [LAST_PURGE]?: number };

/** At most once a minute per process: drop expired sessions and rate windows no rule still reads. */
function maybePurge(store: AccessStore, now: number): void {
  const g = globalThis as Holder;
  if ((g[LAST_PURGE] ?? 0) > now - 60_000) return;
  g[LAST_PURGE] = now;
  void store.purgeAccess(now, now - 2 * MAX_WINDOW_MS).catch(() => undefined);
}
