// The browser's copy of a cluster's state: the same shape as the server's, kept current by
// applying stream deltas. Pure, so it is unit-tested without a browser.
import type { ClusterDelta, ClusterState } from '../types';

export const MAX_EVENTS = 500;

export type ApplyResult = { kind: 'applied'; state: ClusterState } | { kind: 'ignored' } | { kind: 'resync' };

/**
 * Applies one delta. A delta older than the state is ignored; a gap (missed deltas) asks
 * for a resync (the caller reconnects and gets the full state).
 */
export function applyDelta(state: ClusterState, d: ClusterDelta): ApplyResult {
  if (d.seq <= state.seq) return { kind: 'ignored' };
  if (d.seq !== state.seq + 1) return { kind: 'resync' };
  const cutoff = d.frame.t - state.historyMs;
  const frames = state.frames.filter((f) => f.t >= cutoff);
  frames.push(d.frame);
  const events = d.events.length ? [...state.events, ...d.events].slice(-MAX_EVENTS) : state.events;
  return {
    kind: 'applied',
    state: {
      ...state,
      seq: d.seq,
      updatedAt: d.updatedAt,
      status: d.status,
      score: d.score,
      members: d.members,
      scores: d.scores,
      frames,
      events,
      findings: d.findings,
      sources: d.sources,
    },
  };
}

/** Data older than this is shown as stale: three missed polls, at least 5 s. */
export function staleAfterMs(pollIntervalMs: number): number {
  return Math.max(5000, 3 * pollIntervalMs);
}
