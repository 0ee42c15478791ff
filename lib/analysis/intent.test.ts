import { describe, expect, it } from 'vitest';
import { drainedMembers, drainReason, drainState, servesNow } from './intent';

describe("the operator's intent at the balancer", () => {
  const s = (status: string, weight = 10, backup = false) => ({ status, weight, backup });

  it('reads maintenance, drain, soft stop, weight 0 and a backup in reserve as decisions', () => {
    expect(drainReason(s('MAINT'), true)).toBe('MAINT');
    expect(drainReason(s('MAINT (via etcd/etcd-1)'), true)).toBe('MAINT');
    expect(drainReason(s('DRAIN'), true)).toBe('DRAIN');
    expect(drainReason(s('DRAIN (agent)'), true)).toBe('DRAIN');
    expect(drainReason(s('NOLB'), true)).toBe('NOLB');
    expect(drainReason(s('UP', 0), true)).toBe('weight 0');
    expect(drainReason(s('UP', 10, true), true)).toBe('backup');
  });

  it('does not read what a failed check or DNS did, nor a backup that serves, as a decision', () => {
    expect(drainReason(s('DOWN'), true)).toBeNull();
    expect(drainReason(s('DOWN', 0), true)).toBeNull();
    expect(drainReason(s('UP 1/3'), true)).toBeNull();
    expect(drainReason(s('MAINT (resolution)'), true)).toBeNull();
    // Every active server is down: the backup is what serves now.
    expect(drainReason(s('UP', 10, true), false)).toBeNull();
  });

  it('dates a drain by HAProxy’s last state change, else by when Fulcrum saw it, and keeps the date', () => {
    expect(drainState('DRAIN', null, 100_000, 30, false)).toEqual({
      reason: 'DRAIN',
      since: 70_000,
      sinceFirstLook: false,
    });
    const first = drainState('weight 0', null, 100_000, 999, true);
    expect(first).toEqual({ reason: 'weight 0', since: 100_000, sinceFirstLook: true });
    expect(drainState('weight 0', first, 200_000, 999, false)).toBe(first);
    expect(drainState(null, first, 200_000, 0, false)).toBeNull();
    // Another reason starts a new drain.
    expect(drainState('MAINT', first, 200_000, 5, false)?.since).toBe(195_000);
  });

  it('tells which members are drained and which servers serve', () => {
    const members = [{ endpoint: 'a' }, { endpoint: 'b' }, { endpoint: 'c' }];
    const d = { reason: 'DRAIN' as const, since: 1, sinceFirstLook: false };
    expect(
      drainedMembers(members, [
        { member: 'a', drained: null },
        { member: 'b', drained: d },
      ]),
    ).toEqual([false, true, false]);
    expect(drainedMembers(members, null)).toEqual([false, false, false]);
    expect(servesNow({ status: 'UP', drained: null })).toBe(true);
    expect(servesNow({ status: 'UP', drained: d })).toBe(false);
    expect(servesNow({ status: 'DOWN', drained: null })).toBe(false);
  });
});
