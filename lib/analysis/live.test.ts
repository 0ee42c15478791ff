import { describe, expect, it } from 'vitest';
import type { MemberStatus } from '../types';
import { isLive, liveCount } from './live';

describe('isLive', () => {
  it('counts a member that answers, healthy or not; not one that is down or unknown', () => {
    const all: MemberStatus[] = ['up', 'unhealthy', 'down', 'unknown'];
    expect(all.map((status) => isLive({ status }))).toEqual([true, true, false, false]);
    expect(liveCount(all.map((status) => ({ status })))).toBe(2);
    expect(liveCount([])).toBe(0);
  });
});
