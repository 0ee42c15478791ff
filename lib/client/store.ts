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
      resolvedFindings: d.resolvedFindings ?? state.resolvedFindings ?? [],
      // A server older than the client may not send these yet: keep what we have.
      checks: d.checks ?? state.checks ?? [],
      balancer: d.balancer ?? null,
      // The weights panel follows every poll (the balancer's weights, a change and its verification).
      weights: d.weights === undefined ? (state.weights ?? null) : d.weights,
      sources: d.sources,
    },
  };
}

/**
 * A full state replacing the one we hold (first connect, resync, or a restarted server whose
 * memory starts empty). Frames we already had that are older than the new state's first frame
 * are kept (within the history window), and so are events the new state no longer has: a
 * server restart or reconnect doesn't wipe what the page was showing.
 */
export function adoptState(prev: ClusterState | null, next: ClusterState): ClusterState {
  if (!prev || prev.name !== next.name) return next;
  const newest = next.frames.length ? next.frames[next.frames.length - 1].t : (next.updatedAt ?? -Infinity);
  const cutoff = newest - next.historyMs;
  const firstNew = next.frames.length ? next.frames[0].t : Infinity;
  const keptFrames = prev.frames.filter((f) => f.t < firstNew && f.t >= cutoff);
  const key = (e: ClusterState['events'][number]) => `${e.t}|${e.kind}|${e.member ?? ''}|${e.detail}`;
  const have = new Set(next.events.map(key));
  const keptEvents = prev.events.filter((e) => !have.has(key(e)));
  if (keptFrames.length === 0 && keptEvents.length === 0) return next;
  return {
    ...next,
    frames: keptFrames.length ? [...keptFrames, ...next.frames] : next.frames,
    events: keptEvents.length
      ? [...keptEvents, ...next.events].sort((a, b) => a.t - b.t).slice(-MAX_EVENTS)
      : next.events,
  };
}
