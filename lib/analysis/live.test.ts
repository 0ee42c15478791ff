import { describe, expect, it } from 'vitest';
import type { MemberStatus } from '../types';
import { currentLeader, isLive, leaderIndex, liveCount } from './live';

describe('isLive', () => {
  it('counts a member that answers, healthy or not; not one that is down or unknown', () => {
    const all: MemberStatus[] = ['up', 'unhealthy', 'down', 'unknown'];
    expect(all.map((status) => isLive({ status }))).toEqual([true, true, false, false]);
    expect(liveCount(all.map((status) => ({ status })))).toBe(2);
    expect(liveCount([])).toBe(0);
  });
});

describe('leaderIndex / currentLeader', () => {
  it('keeps the role of a member that missed a poll, drops the one of a down member', () => {
    const m = (status: MemberStatus, isLeader = false) => ({ status, isLeader });
    expect(leaderIndex([m('up'), m('unknown', true), m('up')])).toBe(1);
    expect(leaderIndex([m('up'), m('down', true), m('up')])).toBe(-1);
    const ms = [m('up'), m('up', true)];
    expect(currentLeader(ms)).toBe(ms[1]);
    expect(currentLeader([m('down', true)])).toBeUndefined();
  });
});
