import { describe, expect, it } from 'vitest';
import { fleetStaleAfterMs, freshness } from './store';

describe('freshness', () => {
  const base = { now: 100_000, connected: true, hasState: true, lastMessageAt: 99_000, tickMs: 5000 };
  it('is live with a recent message, stale after three ticks without one', () => {
    expect(freshness(base)).toBe('live');
    expect(freshness({ ...base, lastMessageAt: 100_000 - 15_000 })).toBe('live');
    expect(freshness({ ...base, lastMessageAt: 100_000 - 15_001 })).toBe('stale');
  });
  it('is offline when the stream is down, connecting before any state', () => {
    expect(freshness({ ...base, connected: false })).toBe('offline');
    expect(freshness({ ...base, hasState: false, lastMessageAt: null })).toBe('connecting');
    expect(freshness({ ...base, hasState: false, connected: false })).toBe('offline');
  });
  it('counts three ticks, at least 3 s, and survives a nonsense tick', () => {
    expect(fleetStaleAfterMs(100)).toBe(3000);
    expect(fleetStaleAfterMs(5000)).toBe(15_000);
    expect(fleetStaleAfterMs(Number.NaN)).toBe(15_000);
  });
});
