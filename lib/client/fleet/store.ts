// The browser's copy of the fleet: a FleetState kept current by applying the fleet stream's
// deltas. Pure, so it is unit-tested without a browser (the fleet twin of ../store.ts).
import type { FleetCluster, FleetDelta, FleetState } from '../../fleet/types';

export type FleetApplyResult = { kind: 'applied'; state: FleetState } | { kind: 'ignored' } | { kind: 'resync' };

/**
 * Applies one delta: upserts replace whole summaries by name, `removed` drops them. A delta not
 * newer than the state is ignored; a gap (missed deltas) asks for a resync (reconnect: the
 * stream starts with the whole fleet). Clusters keep their order; new ones go at the end.
 */
export function applyFleetDelta(state: FleetState, d: FleetDelta): FleetApplyResult {
  if (d.seq <= state.seq) return { kind: 'ignored' };
  if (d.seq !== state.seq + 1) return { kind: 'resync' };
  let clusters = state.clusters;
  if (d.upserts.length > 0 || d.removed.length > 0) {
    const up = new Map<string, FleetCluster>();
    for (const c of d.upserts) up.set(c.name, c);
    const gone = new Set(d.removed);
    const next: FleetCluster[] = [];
    for (const c of state.clusters) {
      if (gone.has(c.name)) continue;
      const u = up.get(c.name);
      next.push(u ?? c);
      if (u) up.delete(c.name);
    }
    for (const c of up.values()) if (!gone.has(c.name)) next.push(c);
    clusters = next;
  }
  return { kind: 'applied', state: { ...state, seq: d.seq, updatedAt: d.updatedAt, clusters } };
}

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
