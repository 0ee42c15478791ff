import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fleetCounts, severityOf, sortWorstFirst, worstFirst } from './order';
import { fleetCluster, withFinding } from './testkit';

describe('worst first', () => {
  it('orders by severity, then status, then score, then name', () => {
    const list = [
      fleetCluster('ok-low', { score: 0.05 }),
      fleetCluster('ok-high', { score: 0.6 }),
      withFinding(fleetCluster('warn', { score: 0.1 }), 'warning'),
      withFinding(fleetCluster('crit', { score: 0.0 }), 'critical'),
      fleetCluster('down', { status: 'down', score: null }),
      fleetCluster('no-score', { score: null }),
      fleetCluster('aaa', { score: 0.6 }),
    ];
    expect(sortWorstFirst(list).map((c) => c.name)).toEqual([
      'down',
      'crit',
      'warn',
      'aaa',
      'ok-high',
      'ok-low',
      'no-score',
    ]);
  });

  it('puts a degraded cluster before an OK one of the same severity, whatever their scores', () => {
    const skewed = withFinding(fleetCluster('skewed', { score: 0.9 }), 'critical');
    const memberDown = withFinding(fleetCluster('member-down', { status: 'degraded', score: 0.1 }), 'critical');
    const down = fleetCluster('zz-down', { status: 'down', score: null });
    expect(sortWorstFirst([skewed, memberDown, down]).map((c) => c.name)).toEqual(['zz-down', 'member-down', 'skewed']);
  });

  it('puts a cluster with a member down before a skewed one whose member only missed a read', () => {
    // Both degraded with a critical finding: the skew's score is higher, the lost member wins.
    const skewed = withFinding(fleetCluster('a-skewed', { status: 'degraded', score: 0.9 }), 'critical');
    skewed.members[2] = { ...skewed.members[2], status: 'unknown' };
    const lost = withFinding(fleetCluster('z-lost', { status: 'degraded', score: 0.05 }), 'critical');
    lost.members[1] = { ...lost.members[1], status: 'down' };
    expect(sortWorstFirst([skewed, lost]).map((c) => c.name)).toEqual(['z-lost', 'a-skewed']);
    // Of two that lost members, the one closer to losing quorum first (a fraction, not a count).
    const fiveOneDown = withFinding(
      fleetCluster('a-five', { status: 'degraded', score: 0.9 }, [0.2, 0.2, 0.2, 0.2, 0.2]),
      'critical',
    );
    fiveOneDown.members[4] = { ...fiveOneDown.members[4], status: 'down' };
    expect(sortWorstFirst([fiveOneDown, lost]).map((c) => c.name)).toEqual(['z-lost', 'a-five']);
  });

  it('ranks a down cluster like a critical finding and a degraded one like a warning', () => {
    expect(severityOf(fleetCluster('x', { status: 'down' }))).toBe(3);
    expect(severityOf(fleetCluster('x', { status: 'degraded' }))).toBe(2);
    expect(severityOf(withFinding(fleetCluster('x', { status: 'degraded' }), 'critical'))).toBe(3);
    expect(severityOf(fleetCluster('x', { findings: { info: 1, warning: 0, critical: 0 } }))).toBe(1);
  });

  it('treats scores within a step as ties, so rows do not swap on noise', () => {
    const a = fleetCluster('a', { score: 0.301 });
    const b = fleetCluster('b', { score: 0.302 });
    expect(worstFirst(a, b)).toBeLessThan(0);
    expect(worstFirst({ ...a, score: 0.303 }, b)).toBeLessThan(0);
  });

  it('is a total order (antisymmetric, transitive) on any clusters', () => {
    const cl = fc
      .record({
        name: fc.string({ minLength: 1, maxLength: 4 }),
        score: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
        status: fc.constantFrom('ok', 'degraded', 'down', 'starting' as const),
        sev: fc.option(fc.constantFrom('info', 'warning', 'critical' as const)),
        memberStatus: fc.array(fc.constantFrom('up', 'down', 'unknown' as const), { minLength: 1, maxLength: 5 }),
      })
      .map((r) => {
        const c = fleetCluster(
          r.name,
          { score: r.score, status: r.status },
          r.memberStatus.map(() => 0.2),
        );
        c.members = c.members.map((m, i) => ({ ...m, status: r.memberStatus[i] }));
        return r.sev ? withFinding(c, r.sev) : c;
      });
    fc.assert(
      fc.property(fc.array(cl, { maxLength: 30 }), (list) => {
        const sorted = sortWorstFirst(list);
        for (let i = 1; i < sorted.length; i++) expect(worstFirst(sorted[i - 1], sorted[i])).toBeLessThanOrEqual(0);
        for (let i = 1; i < sorted.length; i++)
          expect(severityOf(sorted[i - 1])).toBeGreaterThanOrEqual(severityOf(sorted[i]));
      }),
    );
  });
});

describe('a cluster nobody can see (unknown)', () => {
  it('ranks below down and degraded, above ok, and counts as a problem, not an outage', () => {
    const order = sortWorstFirst([
      fleetCluster('ok'),
      fleetCluster('unknown', { status: 'unknown' }),
      fleetCluster('down', { status: 'down' }),
      fleetCluster('degraded', { status: 'degraded' }),
    ]).map((c) => c.name);
    expect(order).toEqual(['down', 'degraded', 'unknown', 'ok']);
    expect(severityOf(fleetCluster('u', { status: 'unknown' }))).toBe(1);
  });
});

describe('fleetCounts', () => {
  it('counts status, worst severity, source and down members', () => {
    const down = fleetCluster('d', { status: 'down', source: 'prometheus' });
    down.members[1] = { ...down.members[1], status: 'down' };
    const c = fleetCounts([
      fleetCluster('a'),
      withFinding(fleetCluster('b', { status: 'degraded' }), 'warning'),
      down,
      fleetCluster('u', { status: 'unknown' }),
    ]);
    expect(c.total).toBe(4);
    expect(c.status).toEqual({ ok: 1, degraded: 1, down: 1, unknown: 1, starting: 0 });
    expect(c.worst).toEqual({ info: 0, warning: 1, critical: 0 });
    expect(c.source).toEqual({ direct: 3, prometheus: 1 });
    expect(c.membersDown).toBe(1);
  });
});
