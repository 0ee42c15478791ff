import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CapacityInput, capacityFactors, DEFAULT_CAPACITY, integerWeights, proposeWeights } from './propose';

function m(name: string, p99: number | null, over: Partial<CapacityInput> = {}): CapacityInput {
  return {
    name,
    live: true,
    isLeader: false,
    latency: [{ label: 'p99', value: p99 }],
    cpu: null,
    requests: null,
    ...over,
  };
}

describe('capacity factors', () => {
  it('lowers only the member clearly slower than its peers, by the ratio to their median', () => {
    const f = capacityFactors([m('a', 0.02), m('b', 0.02), m('c', 0.06)]);
    expect(f.map((x) => x.factor)).toEqual([1, 1, 0.33]);
    expect(f[2].bound).toBe('p99');
    expect(f[2].why).toBe("c: p99 60 ms vs peers' 20 ms → ×0.33");
    expect(f[0].why).toMatch(/^a: as fast as its peers \(p99 20 ms/);
  });

  it('ignores differences within the ratio or the floor (noise), and clamps a big one to 4×', () => {
    expect(capacityFactors([m('a', 0.02), m('b', 0.025), m('c', 0.039)]).map((x) => x.factor)).toEqual([1, 1, 1]);
    // 3 ms against 1 ms is three times slower but only 2 ms: below the floor.
    expect(capacityFactors([m('a', 0.001), m('b', 0.001), m('c', 0.003)]).map((x) => x.factor)).toEqual([1, 1, 1]);
    expect(capacityFactors([m('a', 0.01), m('b', 0.01), m('c', 2)])[2].factor).toBe(0.25);
  });

  it('takes the lowest factor over the latency signals and names the one that bound it', () => {
    const probe = (p99: number, pr: number | null) => [
      { label: 'p99', value: p99 },
      { label: 'probe', value: pr },
    ];
    const f = capacityFactors([
      m('a', 0, { latency: probe(0.01, 0.001) }),
      m('b', 0, { latency: probe(0.01, 0.001) }),
      m('c', 0, { latency: probe(0.011, 0.08) }),
    ]);
    expect(f[2].bound).toBe('probe');
    expect(f[2].factor).toBe(0.25);
  });

  it('compares CPU per request among followers only, never the leader, and only when latency agrees', () => {
    const p99 = (v: number) => [{ label: 'p99', value: v, floorS: 0.02, followersApart: true }];
    const f = capacityFactors([
      m('a', 0, { isLeader: true, latency: p99(0.01), cpu: 0.5, requests: 100 }),
      m('b', 0, { latency: p99(0.02), cpu: 0.1, requests: 100 }),
      m('c', 0, { latency: p99(0.02), cpu: 0.1, requests: 100 }),
      // Slower than the other followers by more than the floor (not 2×), and 3× the CPU per request.
      m('d', 0, { latency: p99(0.045), cpu: 0.3, requests: 100 }),
    ]);
    expect(f.map((x) => x.factor)).toEqual([1, 1, 1, 0.33]);
    expect(f[3].bound).toBe('cpu');
    expect(f[3].why).toBe("d: CPU 3 ms per request vs peers' 1 (its latency agrees) → ×0.33");
    expect(f[0].why).toMatch(/leader: CPU not compared/);
    // The same CPU at the same speed as its peers: headroom spent, not capacity missing.
    const same = capacityFactors([
      m('a', 0, { isLeader: true, latency: p99(0.01), cpu: 0.5, requests: 100 }),
      m('b', 0, { latency: p99(0.02), cpu: 0.1, requests: 100 }),
      m('c', 0, { latency: p99(0.02), cpu: 0.1, requests: 100 }),
      m('d', 0, { latency: p99(0.025), cpu: 0.3, requests: 100 }),
    ]);
    expect(same.map((x) => x.factor)).toEqual([1, 1, 1, 1]);
    expect(same[3].why).toMatch(/CPU 3 ms\/request \(peers 1\), not used: its latency is as its peers'/);
    expect(same[3].measured).toBe(true);
    // Without any latency to agree, CPU alone moves nothing.
    const cpuOnly = capacityFactors([
      m('a', null, { isLeader: true, cpu: 0.5, requests: 100 }),
      m('b', null, { cpu: 0.1, requests: 100 }),
      m('d', null, { cpu: 0.3, requests: 100 }),
    ]);
    expect(cpuOnly.map((x) => x.factor)).toEqual([1, 1, 1]);
  });

  it('with followersApart, a follower is compared with the other followers, not with the faster leader', () => {
    const p99 = (v: number) => [{ label: 'p99', value: v, floorS: 0.02, followersApart: true }];
    // The leader answers writes itself: its p99 is lower by design; two followers alike are not slow.
    const alike = capacityFactors([
      m('l', 0, { isLeader: true, latency: p99(0.01) }),
      m('a', 0, { latency: p99(0.05) }),
      m('b', 0, { latency: p99(0.05) }),
    ]);
    expect(alike.map((x) => x.factor)).toEqual([1, 1, 1]);
    // A leader far faster than two similar followers: against the median of the leader and the
    // other follower, b would look 2× slower; against the other follower it is not.
    const lfast = (apart: boolean) =>
      capacityFactors(
        [0.005, 0.05, 0.06].map((v, i) =>
          m(`m${i}`, 0, {
            isLeader: i === 0,
            latency: [{ label: 'p99', value: v, floorS: 0.02, followersApart: apart }],
          }),
        ),
      ).map((x) => x.factor);
    expect(lfast(false)[2]).toBeLessThan(1);
    expect(lfast(true)).toEqual([1, 1, 1]);
    // …and a follower twice as slow as the other follower still is.
    const slow = capacityFactors([
      m('l', 0, { isLeader: true, latency: p99(0.01) }),
      m('a', 0, { latency: p99(0.04) }),
      m('b', 0, { latency: p99(0.12) }),
    ]);
    expect(slow.map((x) => x.factor)).toEqual([1, 1, 0.33]);
    // Gaps under the floor are noise, however large the ratio.
    const floor = capacityFactors([
      m('l', 0, { isLeader: true, latency: p99(0.001) }),
      m('a', 0, { latency: p99(0.002) }),
      m('b', 0, { latency: p99(0.015) }),
    ]);
    expect(floor.map((x) => x.factor)).toEqual([1, 1, 1]);
  });

  it("judges Fulcrum's probe over a window: warming, rising (undecided: kept), late (lowered), and every member alike", () => {
    const pr = (lateMs: number, spellMs: number | null, samples = 12, p50Ms = 2 + lateMs) => ({
      probe: { p50Ms, lateMs, spellMs, samples },
    });
    const peers = [m('l', null, { isLeader: true, ...pr(0, 0) }), m('a', null, pr(0.5, 0))];
    const of = (x: CapacityInput) => capacityFactors([...peers, x])[2];
    // Too few probes yet: no verdict, and the agent holds (measured false).
    expect(of(m('b', null, pr(150, null, 5)))).toEqual({
      factor: 1,
      bound: null,
      why: 'b: not decided yet (probe: 5 of 8 polls yet): kept',
      measured: false,
    });
    // Late now, not yet for 8 polls in a row: undecided.
    expect(of(m('b', null, pr(150, 0)))).toMatchObject({ factor: 1, measured: false });
    expect(of(m('b', null, pr(150, 0))).why).toBe(
      'b: not decided yet (probe 150 ms late (peers answer in 2.25 ms), not for long enough yet): kept',
    );
    // Late for a spell: the peers' typical time over theirs plus its lateness (4× at most).
    expect(of(m('b', null, pr(150, 120)))).toEqual({
      factor: 0.25,
      bound: 'probe',
      why: 'b: probe 150 ms late (peers answer in 2.25 ms) → ×0.25',
      measured: true,
    });
    // Within its spell the median swings (a paused member answers some probes on time): the
    // lateness the spell held still counts, so the verdict does not flip.
    expect(of(m('b', null, pr(0.5, 120))).factor).toBe(0.25);
    // A far-away cluster: peers answer in 60 ms, 30 ms late for a spell is ×0.67.
    const far = capacityFactors([
      m('l', null, { isLeader: true, ...pr(0, 0, 12, 60) }),
      m('a', null, pr(0, 0, 12, 60)),
      m('b', null, pr(30, 30, 12, 90)),
    ]);
    expect(far.map((x) => x.factor)).toEqual([1, 1, 0.67]);
    // On time: as fast as its peers, settled.
    expect(of(m('b', null, pr(3, 0)))).toMatchObject({ factor: 1, measured: true });
    expect(of(m('b', null, pr(3, 0))).why).toBe('b: as fast as its peers (probe 3 ms late)');
    // A paused leader answers late to everyone too: the probe compares every member alike.
    const leader = capacityFactors([
      m('l', null, { isLeader: true, ...pr(200, 180) }),
      ...peers.slice(1),
      m('c', null, pr(0, 0)),
    ]);
    expect(leader.map((x) => x.factor)).toEqual([0.25, 1, 1]);
    // The floor is the caller's (the diagnosis's stallProbeExcessMs).
    expect(
      capacityFactors([...peers, m('b', null, pr(30, 30))], { ...DEFAULT_CAPACITY, probeLateMs: 50 })[2],
    ).toMatchObject({
      factor: 1,
      measured: true,
    });
  });

  it('a member slower by its probe lets its CPU per request speak; one the probe calls on time does not', () => {
    const pr = (lateMs: number) => ({ probe: { p50Ms: 40 + lateMs, lateMs, spellMs: lateMs, samples: 12 } });
    const f = capacityFactors([
      m('l', null, { isLeader: true, cpu: 0.2, requests: 100, ...pr(0) }),
      m('a', null, { cpu: 0.1, requests: 100, ...pr(0) }),
      m('b', null, { cpu: 0.1, requests: 100, ...pr(0) }),
      // 25 ms late against peers at 40 ms (×0.62), and 3× the other followers' CPU per request.
      m('c', null, { cpu: 0.3, requests: 100, ...pr(25) }),
      // 3× the CPU per request too, but on time.
      m('d', null, { cpu: 0.3, requests: 100, ...pr(2) }),
    ]);
    expect(f.map((x) => x.factor)).toEqual([1, 1, 1, 0.33, 1]);
    expect(f[3].why).toBe("c: CPU 3 ms per request vs peers' 1 (its latency agrees) → ×0.33");
    expect(f[4].why).toMatch(/^d: as fast as its peers \(probe 2 ms late, CPU 3 ms\/request \(peers 1\), not used/);
  });

  it('says so for a member that is down or has no data', () => {
    const f = capacityFactors([m('a', null, { live: false }), m('b', null), m('c', 0.01)]);
    expect(f[0].why).toBe('a: down, nothing to propose');
    expect(f[1]).toMatchObject({ factor: 1, measured: false });
  });

  it('never proposes above 1 or below the minimum, whatever the numbers', () => {
    const ms = fc.option(fc.double({ min: 0, max: 5000, noNaN: true }));
    const member = fc.record({
      p99: fc.option(fc.double({ min: 0, max: 100, noNaN: true })),
      leader: fc.boolean(),
      probe: fc.option(fc.record({ p50Ms: ms, lateMs: ms, spellMs: ms, samples: fc.integer({ min: 0, max: 12 }) })),
      cpu: fc.option(fc.double({ min: 0, max: 8, noNaN: true })),
      requests: fc.option(fc.double({ min: 0, max: 1e5, noNaN: true })),
    });
    fc.assert(
      fc.property(fc.array(member, { minLength: 1, maxLength: 7 }), (xs) => {
        const f = capacityFactors(
          xs.map((x, i) => m(`m${i}`, x.p99, { isLeader: x.leader, probe: x.probe, cpu: x.cpu, requests: x.requests })),
        );
        for (const x of f) {
          expect(x.factor).toBeGreaterThanOrEqual(0.25);
          expect(x.factor).toBeLessThanOrEqual(1);
          if (x.factor < 1) expect(x.measured).toBe(true);
        }
      }),
    );
  });
});

describe('proposed weights', () => {
  it('moves what the slow member gives up to the others, keeping the total', () => {
    const f = capacityFactors([m('a', 0.02), m('b', 0.02), m('c', 0.08)]);
    expect(proposeWeights([30, 20, 10], f)).toEqual([34, 23, 3]);
  });

  it('keeps the weights when every member is as fast as its peers, and a weight of 0 at 0', () => {
    const f = capacityFactors([m('a', 0.02), m('b', 0.02), m('c', 0.02)]);
    expect(proposeWeights([30, 20, 10], f)).toEqual([30, 20, 10]);
    const g = capacityFactors([m('a', 0.02), m('b', 0.02), m('c', 0.2)]);
    expect(proposeWeights([30, 0, 10], g)[1]).toBe(0);
  });

  it('integer weights stay within 1..256 and keep the proportions', () => {
    expect(integerWeights([1000, 500], 3000)).toEqual([256, 128]);
    expect(integerWeights([0, 0], 10)).toEqual([1, 1]);
  });
});
