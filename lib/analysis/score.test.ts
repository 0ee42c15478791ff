import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyDimRecord } from '../dimensions';
import { expectedShares, hottestMember, imbalanceScore, observedShares, scoreDimensions } from './score';

const all = (n: number) => new Array<boolean>(n).fill(true);

/** 2..7 members, positive loads and weights. */
const loadsAndWeights = fc.integer({ min: 2, max: 7 }).chain((n) =>
  fc.tuple(
    // Loads are 0 or real numbers of requests (no denormals: scaling those underflows to 0).
    fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 1e6, noNaN: true })), { minLength: n, maxLength: n }),
    fc.array(fc.double({ min: 0.01, max: 1000, noNaN: true }), { minLength: n, maxLength: n }),
  ),
);

function score(values: number[], weights: number[]): number | null {
  const el = all(values.length);
  return imbalanceScore(observedShares(values, el), expectedShares(weights, el));
}

describe('imbalance score', () => {
  it('stays within [0, 1]', () => {
    fc.assert(
      fc.property(loadsAndWeights, ([values, weights]) => {
        const s = score(values, weights);
        return s === null || (s >= 0 && s <= 1);
      }),
    );
  });

  it('is 0 when the load follows the weights exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1000, noNaN: true }), { minLength: 2, maxLength: 7 }),
        fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        (weights, k) => {
          const s = score(
            weights.map((w) => w * k),
            weights,
          );
          expect(s).not.toBeNull();
          expect(s!).toBeCloseTo(0, 9);
        },
      ),
    );
  });

  it('is 1 when one member carries everything, whatever the weights', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1000, noNaN: true }), { minLength: 2, maxLength: 7 }),
        fc.nat(),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        (weights, pick, load) => {
          const hot = pick % weights.length;
          const values = weights.map((_, i) => (i === hot ? load : 0));
          expect(score(values, weights)).toBeCloseTo(1, 9);
        },
      ),
    );
  });

  it('does not depend on member order or on the unit of the load', () => {
    fc.assert(
      fc.property(loadsAndWeights, fc.double({ min: 0.001, max: 1000, noNaN: true }), ([values, weights], k) => {
        const s = score(values, weights);
        const rev = score([...values].reverse(), [...weights].reverse());
        const scaled = score(
          values.map((v) => v * k),
          weights,
        );
        if (s === null) return rev === null && scaled === null;
        expect(rev!).toBeCloseTo(s, 9);
        expect(scaled!).toBeCloseTo(s, 9);
      }),
    );
  });

  it('grows when load moves from another member to the hottest one', () => {
    fc.assert(
      fc.property(loadsAndWeights, fc.double({ min: 0, max: 1, noNaN: true }), ([values, weights], frac) => {
        const el = all(values.length);
        const total = values.reduce((a, b) => a + b, 0);
        fc.pre(total > 0);
        const hot = hottestMember(observedShares(values, el), expectedShares(weights, el));
        const donor = (hot + 1) % values.length;
        const moved = values.slice();
        const amount = moved[donor] * frac;
        moved[donor] -= amount;
        moved[hot] += amount;
        expect(score(moved, weights)!).toBeGreaterThanOrEqual(score(values, weights)! - 1e-9);
      }),
    );
  });

  it('reads HAProxy weights 30/20/10: near 0 against the weights, skewed against equal shares', () => {
    const values = [50, 33.3, 16.7];
    expect(score(values, [30, 20, 10])!).toBeLessThan(0.01);
    // (0.5 - 1/3) / (1 - 1/3) = 0.25
    expect(score(values, [1, 1, 1])!).toBeCloseTo(0.25, 2);
  });

  it('is null with fewer than two members to compare', () => {
    expect(score([5], [1])).toBeNull();
    expect(imbalanceScore([null, 1], [null, 1])).toBeNull();
  });
});

describe('expected shares', () => {
  it('renormalise over eligible members and fall back to equal when weights are all zero', () => {
    expect(expectedShares([30, 20, 10], [true, false, true])).toEqual([0.75, null, 0.25]);
    expect(expectedShares([0, 0], [true, true])).toEqual([0.5, 0.5]);
  });
});

describe('scoreDimensions', () => {
  const eps = ['a', 'b', 'c'];
  const values = (reqs: (number | null)[], cpu: (number | null)[] = [null, null, null]) => {
    const v = emptyDimRecord<(number | null)[]>(() => [null, null, null]);
    v.requests = reqs;
    v.cpu = cpu;
    return v;
  };

  it('leaves the leader out of leader-heavy dimensions', () => {
    const r = scoreDimensions(
      { up: all(3), leader: 0, weights: [1, 1, 1], values: values([10, 10, 10], [0.9, 0.1, 0.1]) },
      eps,
    );
    expect(r.shares.cpu).toEqual([null, 0.5, 0.5]);
    expect(r.scores.cpu.score).toBeCloseTo(0, 9);
    expect(r.scores.requests.score).toBeCloseTo(0, 9);
  });

  it('judges a down member by the others: expected shares renormalise', () => {
    const r = scoreDimensions(
      { up: [true, false, true], leader: 0, weights: [30, 20, 10], values: values([75, null, 25]) },
      eps,
    );
    expect(r.expected.requests).toEqual([0.75, null, 0.25]);
    expect(r.scores.requests.score).toBeCloseTo(0, 9);
  });

  it('withholds the score below the noise floor and says why', () => {
    const r = scoreDimensions({ up: all(3), leader: 0, weights: [1, 1, 1], values: values([0.1, 0, 0]) }, eps);
    expect(r.scores.requests.score).toBeNull();
    expect(r.scores.requests.reason).toMatch(/too little load/);
  });

  it('names the hottest member and scores both bases', () => {
    const r = scoreDimensions({ up: all(3), leader: 1, weights: [1, 1, 1], values: values([80, 10, 10]) }, eps);
    expect(r.scores.requests.hottest).toBe('a');
    expect(r.scores.requests.score).toBeCloseTo((0.8 - 1 / 3) / (2 / 3), 6);
    expect(r.scores.requests.scoreEqual).toBeCloseTo(r.scores.requests.score!, 9);
    expect(r.scores.latencyP99.score).toBeNull();
  });

  it('expects nothing of a drained member and renormalises the others; its leftover traffic is no skew', () => {
    // etcd-3 (weight 10) drained: etcd-1 and etcd-2 expect 60 % / 40 %.
    const drained = [false, false, true];
    const even = scoreDimensions(
      { up: all(3), leader: 0, weights: [30, 20, 10], values: values([60, 40, 0]), drained },
      eps,
    );
    expect(even.expected.requests).toEqual([0.6, 0.4, 0]);
    expect(even.scores.requests.score).toBeCloseTo(0, 9);
    // Old connections still on it: shown as its share, not scored against the others.
    const leftover = scoreDimensions(
      { up: all(3), leader: 0, weights: [30, 20, 10], values: values([45, 30, 25]), drained },
      eps,
    );
    expect(leftover.shares.requests[2]).toBeCloseTo(0.25, 9);
    expect(leftover.scores.requests.score).toBeCloseTo(0, 9);
    expect(leftover.scores.requests.hottest).not.toBe('c');
    // A real skew among the ones that serve still shows.
    const skew = scoreDimensions(
      { up: all(3), leader: 0, weights: [30, 20, 10], values: values([20, 80, 0]), drained },
      eps,
    );
    expect(skew.scores.requests.hottest).toBe('b');
    expect(skew.scores.requests.score).toBeGreaterThan(0.5);
    // Data dimensions (not weighted) ignore the drain.
    expect(even.expected.dbSize).toEqual([null, null, null]);
    // Only one member left to serve: nothing to compare, and it says why.
    const one = scoreDimensions(
      { up: all(3), leader: 0, weights: [1, 1, 1], values: values([50, 0, 0]), drained: [false, true, true] },
      eps,
    );
    expect(one.scores.requests.score).toBeNull();
    expect(one.scores.requests.reason).toContain('drained');
  });
});
