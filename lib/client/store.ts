// The browser's copy of a cluster's state: the same shape as the server's, kept current by
// applying stream deltas. Pure, so it is unit-tested without a browser.
import type { ClusterState } from '../types';

// Deltas are made and applied by one shared module: see lib/stream/delta.ts.
import { MAX_EVENTS } from '../stream/delta';

export { type ApplyResult, applyDelta, MAX_EVENTS } from '../stream/delta';

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
