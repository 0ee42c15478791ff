// What the browser may say about the age of its fleet data. Pure. (Deltas are applied with
// lib/fleet/delta.ts, the same code the server's tests check its deltas with.)

/** Data older than this is stale: three fleet ticks without a delta (at least 3 s). */
export function fleetStaleAfterMs(tickMs: number): number {
  return Math.max(3000, 3 * (Number.isFinite(tickMs) && tickMs > 0 ? tickMs : 5000));
}

export type Freshness = 'connecting' | 'live' | 'stale' | 'offline';

/**
 * What a view may claim about its data at `now`: never "live" without data within three ticks,
 * whatever the socket says. `lastMessageAt` is when the last delta or full state arrived (browser
 * clock); keep-alives don't count, they carry no data.
 */
export function freshness(p: {
  now: number;
  connected: boolean;
  hasState: boolean;
  lastMessageAt: number | null;
  tickMs: number;
}): Freshness {
  if (!p.hasState) return p.connected ? 'connecting' : p.lastMessageAt === null ? 'connecting' : 'offline';
  if (!p.connected) return 'offline';
  if (p.lastMessageAt === null || p.now - p.lastMessageAt > fleetStaleAfterMs(p.tickMs)) return 'stale';
  return 'live';
}
