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

/**
 * Index of the member that leads now, -1 when none. A member that missed a poll ('unknown') keeps
 * its last-known role, so one missed poll does not read as a leader change; a 'down' one leads nothing.
 */
export function leaderIndex(members: ReadonlyArray<Pick<MemberState, 'isLeader' | 'status'>>): number {
  return members.findIndex((m) => m.isLeader && m.status !== 'down');
}

/** The member that leads now, or undefined. */
export function currentLeader<M extends Pick<MemberState, 'isLeader' | 'status'>>(
  members: ReadonlyArray<M>,
): M | undefined {
  const i = leaderIndex(members);
  return i >= 0 ? members[i] : undefined;
}
