import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CapacityInput, capacityFactors, integerWeights, proposeWeights } from './propose';

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

  it('compares CPU per request among followers only, never the leader', () => {
    const f = capacityFactors([
      m('a', null, { isLeader: true, cpu: 0.5, requests: 100 }),
      m('b', null, { cpu: 0.1, requests: 100 }),
      m('c', null, { cpu: 0.1, requests: 100 }),
      m('d', null, { cpu: 0.3, requests: 100 }),
    ]);
    expect(f.map((x) => x.factor)).toEqual([1, 1, 1, 0.33]);
    expect(f[3].bound).toBe('cpu');
    expect(f[0].why).toMatch(/no latency or CPU data/);
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

  it('says so for a member that is down or has no data', () => {
    const f = capacityFactors([m('a', null, { live: false }), m('b', null), m('c', 0.01)]);
    expect(f[0].why).toBe('a: down, nothing to propose');
    expect(f[1]).toMatchObject({ factor: 1, measured: false });
  });

  it('never proposes above 1 or below the minimum, whatever the numbers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: 0, max: 100, noNaN: true })), { minLength: 1, maxLength: 7 }),
        (p99s) => {
          for (const f of capacityFactors(p99s.map((p, i) => m(`m${i}`, p)))) {
            expect(f.factor).toBeGreaterThanOrEqual(0.25);
            expect(f.factor).toBeLessThanOrEqual(1);
          }
        },
      ),
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
