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
    }),
    { selector: (c) => c.name, maxLength: 10 },
  )
  .map((cs) => cs.map((c) => cluster(c.name, { score: c.score, status: c.status, labels: { env: c.env } })));

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
