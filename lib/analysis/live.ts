// "Does this member count as live": it answers (healthy or not). The one definition used by the
// engine, the detectors, the scores and the views; a member that is down or not yet known
// (one missed poll) does not count.
import type { MemberState } from '../types';

export function isLive(m: Pick<MemberState, 'status'>): boolean {
  return m.status === 'up' || m.status === 'unhealthy';
}

/** How many members count as live. */
export function liveCount(members: ReadonlyArray<Pick<MemberState, 'status'>>): number {
  let n = 0;
  for (const m of members) if (isLive(m)) n++;
  return n;
}
