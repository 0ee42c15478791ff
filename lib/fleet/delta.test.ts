import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFleetDelta, FleetDiffer } from './delta';
import type { FleetCluster, FleetDelta, FleetState } from './types';

function cluster(name: string, over: Partial<FleetCluster> = {}): FleetCluster {
  return {
    name,
    labels: {},
    source: 'direct',
    status: 'ok',
    members: [],
    leader: null,
    score: 0,
    scoreEqual: 0,
    findings: { critical: 0, warning: 0, info: 0 },
    worst: null,
    updatedAt: 1,
    pollIntervalMs: 1000,
    ...over,
  };
}

const header = () => ({ tickMs: 1000, build: 'test' });

// A fleet at one tick: some of ten clusters, each with a score and a status that may change.
const fleetArb = fc
  .uniqueArray(
    fc.record({
      name: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'),
      score: fc.constantFrom(0, 0.25, 0.5, null),
      status: fc.constantFrom('ok' as const, 'degraded' as const, 'down' as const),
      env: fc.constantFrom('prod', 'stage'),
      updatedAt: fc.constantFrom(1, 2, 3, null),
    }),
    { selector: (c) => c.name, maxLength: 10 },
  )
  .map((cs) =>
    cs.map((c) =>
      cluster(c.name, { score: c.score, status: c.status, labels: { env: c.env }, updatedAt: c.updatedAt }),
    ),
  );

describe('fleet deltas', () => {
  it('applying every delta to the first state reproduces the server state, tick by tick', () => {
    fc.assert(
      fc.property(fc.array(fleetArb, { minLength: 1, maxLength: 30 }), (ticks) => {
        const d = new FleetDiffer(header);
        d.step(ticks[0], 0);
        let client: FleetState = d.state();
        ticks.slice(1).forEach((fleet, i) => {
          const step = d.step(fleet, i + 1);
          const delta = JSON.parse(step.deltaJson) as FleetDelta;
          const r = applyFleetDelta(client, delta);
          expect(r.kind).toBe('applied');
          if (r.kind === 'applied') client = r.state;
          expect(client).toEqual(d.state());
        });
        // Whatever the order of the ticks, the state holds exactly the last tick's clusters.
        expect(client.clusters.map((c) => c.name).sort()).toEqual(
          ticks
            .at(-1)!
            .map((c) => c.name)
            .sort(),
        );
      }),
      { numRuns: 120 },
    );
  });

  it('sends only what changed, and the names of what went', () => {
    const d = new FleetDiffer(header);
    d.step([cluster('a'), cluster('b'), cluster('c')], 0);
    const s = d.step([cluster('a'), cluster('b', { score: 0.5 })], 1);
    const delta = JSON.parse(s.deltaJson) as FleetDelta;
    expect(delta.upserts.map((c) => c.name)).toEqual(['b']);
    expect(delta.upserts[0].score).toBe(0.5);
    expect(delta.removed).toEqual(['c']);
    expect(delta.seq).toBe(2);
    // A tick where nothing changed still sends a delta: the screens know the server is alive.
    const quiet = JSON.parse(d.step([cluster('a'), cluster('b', { score: 0.5 })], 2).deltaJson) as FleetDelta;
    expect(quiet).toEqual({ seq: 3, updatedAt: 2, upserts: [], removed: [] });
  });

  it('sends a cluster polled again with nothing else new as its name and data time, not its summary', () => {
    const d = new FleetDiffer(header);
    d.step([cluster('a'), cluster('b'), cluster('c')], 0);
    const s = d.step([cluster('a', { updatedAt: 2 }), cluster('b', { updatedAt: 2, score: 0.5 }), cluster('c')], 1);
    expect(s).toMatchObject({ upserts: 1, fresh: 1, removed: 0 });
    const delta = JSON.parse(s.deltaJson) as FleetDelta;
    expect(delta.upserts.map((c) => [c.name, c.updatedAt, c.score])).toEqual([['b', 2, 0.5]]);
    expect(delta.fresh).toEqual({ a: 2 });
    // The full state has the new time; a client that applies the delta has it too.
    expect(d.state().clusters.map((c) => [c.name, c.updatedAt])).toEqual([
      ['a', 2],
      ['b', 2],
      ['c', 1],
    ]);
    // A name that is also an Object.prototype key is data, not a lookup of the prototype.
    const p = new FleetDiffer(header);
    p.step([cluster('constructor'), cluster('x')], 0);
    const before = p.state();
    const r = applyFleetDelta(
      before,
      JSON.parse(p.step([cluster('constructor'), cluster('x', { updatedAt: 5 })], 1).deltaJson),
    );
    expect(r.kind === 'applied' && r.state.clusters.map((c) => [c.name, c.updatedAt])).toEqual([
      ['constructor', 1],
      ['x', 5],
    ]);
  });

  it('keeps one summary per name when a source lists a name twice', () => {
    const d = new FleetDiffer(header);
    d.step([cluster('a', { score: 0.1 }), cluster('a', { score: 0.9 })], 0);
    expect(d.state().clusters.map((c) => [c.name, c.score])).toEqual([['a', 0.1]]);
  });

  it('ignores an old delta and asks for a resync after a gap', () => {
    const d = new FleetDiffer(header);
    d.step([cluster('a')], 0);
    const first = d.state();
    const s2 = JSON.parse(d.step([cluster('a', { score: 1 })], 1).deltaJson) as FleetDelta;
    const s3 = JSON.parse(d.step([cluster('a', { score: 0 })], 2).deltaJson) as FleetDelta;
    expect(applyFleetDelta(first, s3).kind).toBe('resync');
    const r = applyFleetDelta(first, s2);
    expect(r.kind).toBe('applied');
    if (r.kind === 'applied') expect(applyFleetDelta(r.state, s2).kind).toBe('ignored');
  });

  it('caches the full state per tick', () => {
    const d = new FleetDiffer(header);
    d.step([cluster('a')], 0);
    const j = d.stateJson();
    expect(d.stateJson()).toBe(j);
    d.step([cluster('a')], 1);
    expect(d.stateJson()).not.toBe(j);
    expect(JSON.parse(d.stateJson())).toMatchObject({ seq: 2, updatedAt: 1, tickMs: 1000, build: 'test' });
  });
});
