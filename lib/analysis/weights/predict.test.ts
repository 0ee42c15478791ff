import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { predict, type WhatIfMember } from './predict';
import { serverRole, sharesFromWeights, type TrafficRole } from './shares';

const sum = (xs: ReadonlyArray<number | null>) => xs.reduce<number>((a, x) => a + (x ?? 0), 0);

/** 2..7 members: weights (some 0), liveness, roles. */
const groups = fc.integer({ min: 2, max: 7 }).chain((n) =>
  fc.record({
    weights: fc.array(
      fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 256 }), fc.double({ min: 0.01, max: 1e4, noNaN: true })),
      {
        minLength: n,
        maxLength: n,
      },
    ),
    live: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    roles: fc.array(fc.constantFrom<TrafficRole>('active', 'active', 'active', 'backup', 'out'), {
      minLength: n,
      maxLength: n,
    }),
    configured: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: n, maxLength: n }),
  }),
);

const membersOf = (g: { live: boolean[]; roles: TrafficRole[]; configured: number[] }): WhatIfMember[] =>
  g.live.map((live, i) => ({ live, role: g.roles[i], configured: g.configured[i] }));

describe('predicted shares', () => {
  it('sum to 1 whenever a live server with a positive weight takes connections, else all 0', () => {
    fc.assert(
      fc.property(groups, (g) => {
        const p = predict(g.weights, membersOf(g));
        const canServe = g.weights.some((w, i) => w > 0 && g.live[i] && g.roles[i] !== 'out');
        if (canServe) expect(sum(p.shares)).toBeCloseTo(1, 9);
        else expect(p.shares.every((s) => s === null || s === 0)).toBe(true);
        for (const s of p.shares) if (s !== null) expect(s).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('give a weight of 0 nothing, and a member that is down no share at all', () => {
    fc.assert(
      fc.property(groups, (g) => {
        const p = predict(g.weights, membersOf(g));
        g.weights.forEach((w, i) => {
          if (!g.live[i]) expect(p.shares[i]).toBeNull();
          else if (w === 0) expect(p.shares[i]).toBe(0);
        });
      }),
    );
  });

  it('do not change when every weight is scaled by the same factor', () => {
    fc.assert(
      fc.property(groups, fc.double({ min: 0.001, max: 1000, noNaN: true }), (g, k) => {
        const a = predict(g.weights, membersOf(g));
        const b = predict(
          g.weights.map((w) => w * k),
          membersOf(g),
        );
        a.shares.forEach((s, i) => {
          if (s === null) expect(b.shares[i]).toBeNull();
          else expect(b.shares[i]).toBeCloseTo(s, 9);
        });
        if (a.score === null) expect(b.score).toBeNull();
        else expect(b.score!).toBeCloseTo(a.score, 9);
      }),
    );
  });

  it('follow the weights among the servers that take connections', () => {
    const m = [true, true, true].map((live) => ({ live, role: 'active' as const, configured: 1 }));
    expect(predict([30, 20, 10], m).shares.map((s) => s!.toFixed(4))).toEqual(['0.5000', '0.3333', '0.1667']);
    // etcd-2 drained at the balancer: it gets nothing, the others renormalise.
    const drained = m.map((x, i) => ({ ...x, role: i === 1 ? serverRole('DRAIN') : x.role }));
    expect(predict([30, 20, 10], drained).shares.map((s) => s!.toFixed(4))).toEqual(['0.7500', '0.0000', '0.2500']);
  });

  it('scores against the configured weights of the members that would serve, and against equal shares', () => {
    const m: WhatIfMember[] = [30, 20, 10].map((configured) => ({ live: true, role: 'active', configured }));
    // The configured weights themselves: as expected, and 0.25 against equal shares (the README's example).
    const same = predict([30, 20, 10], m);
    expect(same.score).toBeCloseTo(0, 9);
    expect(same.scoreEqual).toBeCloseTo(0.25, 9);
    // Equal weights: etcd-3 carries more than configured.
    const eq = predict([1, 1, 1], m);
    expect(eq.scoreEqual).toBeCloseTo(0, 9);
    expect(eq.score).toBeCloseTo((1 / 3 - 1 / 6) / (1 - 1 / 6), 9);
    // Drain etcd-3 in the what-if: a decision, not skew: expectations renormalise over the other two.
    const drain = predict([30, 20, 0], m);
    expect(drain.expected[2]).toBe(0);
    expect(drain.score).toBeCloseTo(0, 9);
  });
});

describe('server roles', () => {
  it('reads the balancer statuses', () => {
    expect(['UP', 'UP 1/3', 'no check', 'UP (checking)'].map(serverRole)).toEqual([
      'active',
      'active',
      'active',
      'active',
    ]);
    expect(['DRAIN', 'MAINT', 'MAINT (via etcd/x)', 'DOWN', 'DOWN 1/2', 'NOLB', 'weird'].map(serverRole)).toEqual(
      new Array(7).fill('out'),
    );
    expect(serverRole('BACKUP')).toBe('backup');
    expect(serverRole(null)).toBe('active');
  });

  it('sends to backups only when no active server can serve', () => {
    expect(sharesFromWeights([10, 10, 5], [true, true, true], ['active', 'out', 'backup'])).toEqual([1, 0, 0]);
    expect(sharesFromWeights([10, 10, 5], [true, true, true], ['out', 'out', 'backup'])).toEqual([0, 0, 1]);
    expect(sharesFromWeights([0, 10, 5], [true, false, true], ['active', 'active', 'backup'])).toEqual([0, null, 1]);
  });
});
