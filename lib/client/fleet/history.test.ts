import { describe, expect, it } from 'vitest';
import { FleetHistory } from './history';
import { fleetCluster, fleetMember, fleetState } from './testkit';

function tick(h: FleetHistory, t: number, clusters = [fleetCluster('a', { updatedAt: t }, [0.5, 0.3, 0.2])]) {
  h.record(fleetState(clusters, { updatedAt: t, seq: t }));
}

describe('FleetHistory', () => {
  it('keeps one column per tick per cluster, oldest first, in the cluster page frame shape', () => {
    const h = new FleetHistory({ capacity: 10, dims: ['requests'] });
    for (let t = 1; t <= 3; t++) tick(h, t * 1000);
    const r = h.frames('a', 'requests');
    expect(r?.frames.map((f) => f.t)).toEqual([1000, 2000, 3000]);
    const f = r!.frames[2];
    expect(f.up).toEqual([true, true, true]);
    expect(f.leader).toBe(0);
    expect(f.shares.requests.map((x) => Math.round((x ?? 0) * 100))).toEqual([50, 30, 20]);
    expect(f.expected.requests.map((x) => Math.round((x ?? 0) * 1000))).toEqual([333, 333, 333]);
    expect(f.scores.requests).toBe(0);
    expect(r!.members.map((m) => m.name)).toEqual(['a-m1', 'a-m2', 'a-m3']);
  });

  it('is bounded: the ring drops the oldest columns', () => {
    const h = new FleetHistory({ capacity: 4, dims: ['requests'] });
    for (let t = 1; t <= 50; t++) tick(h, t * 1000);
    expect(h.frames('a', 'requests')?.frames.map((f) => f.t)).toEqual([47_000, 48_000, 49_000, 50_000]);
  });

  it('skips repeated times, stale clusters, and forgets clusters that left the fleet', () => {
    const h = new FleetHistory({ capacity: 10, dims: ['requests'] });
    tick(h, 1000);
    tick(h, 1000);
    tick(h, 60_000, [fleetCluster('a', { updatedAt: 1000 }), fleetCluster('b', { updatedAt: 60_000 })]);
    expect(h.frames('a', 'requests')?.frames).toHaveLength(1);
    expect(h.frames('b', 'requests')?.frames).toHaveLength(1);
    tick(h, 61_000, [fleetCluster('b', { updatedAt: 61_000 })]);
    expect(h.frames('a', 'requests')).toBeNull();
    expect(h.size).toBe(1);
  });

  it('starts over when the members change', () => {
    const h = new FleetHistory({ capacity: 10, dims: ['requests'] });
    tick(h, 1000);
    tick(h, 2000, [fleetCluster('a', { updatedAt: 2000 }, [0.5, 0.5])]);
    expect(h.frames('a', 'requests')?.frames.map((f) => f.up.length)).toEqual([2]);
  });

  it('marks down members and scores other dimensions from the shares', () => {
    const h = new FleetHistory({ capacity: 10, dims: ['requests', 'reads'] });
    const c = fleetCluster('a', { updatedAt: 1000 });
    c.members = [
      fleetMember('x', 1, 0.5, { dims: { reads: { share: 1, expected: 0.5 } } }),
      fleetMember('y', null, null, { status: 'down', isLeader: true, dims: { reads: { share: 0, expected: 0.5 } } }),
    ];
    h.record(fleetState([c], { updatedAt: 1000 }));
    const f = h.frames('a', 'reads')!.frames[0];
    expect(f.up).toEqual([true, false]);
    expect(f.leader).toBe(-1);
    expect(f.scores.reads).toBeGreaterThan(0.4);
    // a dimension it does not track: no data rather than wrong data
    expect(h.frames('a', 'cpu')!.frames[0].shares.cpu).toEqual([null, null]);
  });
});
