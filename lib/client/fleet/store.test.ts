import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFleetDelta, fleetStaleAfterMs, freshness } from './store';
import { fleetCluster, fleetState } from './testkit';

describe('applyFleetDelta', () => {
  const a = fleetCluster('a');
  const b = fleetCluster('b');
  const s0 = fleetState([a, b], { seq: 4 });

  it('replaces upserted clusters in place, appends new ones, drops removed ones', () => {
    const a2 = { ...a, score: 0.7 };
    const c = fleetCluster('c');
    const r = applyFleetDelta(s0, { seq: 5, updatedAt: 2000, upserts: [c, a2], removed: ['b'] });
    expect(r.kind).toBe('applied');
    if (r.kind !== 'applied') return;
    expect(r.state.clusters.map((x) => x.name)).toEqual(['a', 'c']);
    expect(r.state.clusters[0].score).toBe(0.7);
    expect(r.state.seq).toBe(5);
    expect(r.state.updatedAt).toBe(2000);
    expect(r.state.build).toBe('b1');
  });

  it('keeps the same cluster array for an empty delta (nothing to re-sort)', () => {
    const r = applyFleetDelta(s0, { seq: 5, updatedAt: 2000, upserts: [], removed: [] });
    expect(r.kind === 'applied' && r.state.clusters).toBe(s0.clusters);
  });

  it('ignores old deltas and asks for a resync on a gap', () => {
    expect(applyFleetDelta(s0, { seq: 4, updatedAt: 0, upserts: [], removed: [] }).kind).toBe('ignored');
    expect(applyFleetDelta(s0, { seq: 2, updatedAt: 0, upserts: [], removed: [] }).kind).toBe('ignored');
    expect(applyFleetDelta(s0, { seq: 7, updatedAt: 0, upserts: [], removed: [] }).kind).toBe('resync');
  });

  it('never holds two clusters of one name, whatever the deltas', () => {
    const name = fc.constantFrom('a', 'b', 'c', 'd');
    fc.assert(
      fc.property(
        fc.array(fc.record({ up: fc.array(name, { maxLength: 4 }), rm: fc.array(name, { maxLength: 2 }) })),
        (ds) => {
          let s = s0;
          for (const d of ds) {
            const r = applyFleetDelta(s, {
              seq: s.seq + 1,
              updatedAt: 0,
              upserts: d.up.map((n) => fleetCluster(n)),
              removed: d.rm,
            });
            if (r.kind !== 'applied') throw new Error('not applied');
            s = r.state;
            const names = s.clusters.map((c) => c.name);
            expect(new Set(names).size).toBe(names.length);
            for (const n of d.rm) if (!d.up.includes(n)) expect(names).not.toContain(n);
          }
        },
      ),
    );
  });
});

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
