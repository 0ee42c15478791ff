import { describe, expect, it } from 'vitest';
import { formatPercent } from '../../../format';
import { balancer, input, server, three, withLoad } from '../testkit';
import type { DiagnosisInput } from '../types';
import { balancerDrain } from './balancer-drain';
import { diagnose } from './index';

describe('balancer-drain', () => {
  const drainedAt = Date.UTC(2026, 10, 29, 6, 59, 12);

  it("lists a member drained on purpose as info, and nothing else: its expected share is 0, the others' renormalise", () => {
    // etcd-3 drained (its old connections still bring it a little), the other two even.
    const m = three().map((x) => ({ ...x, weight: 10 }));
    const { members, scores } = withLoad(m, [100, 100, 12]);
    // As the engine scores it: drained members expect nothing (see score.test.ts).
    const d = { reason: 'DRAIN' as const, since: drainedAt, sinceFirstLook: false };
    const servers = members.map((x, i) => server(x, i === 2 ? { status: 'DRAIN', drained: d, sessionRate: 0 } : {}));
    const fixed = members.map((x, i) => ({
      ...x,
      dims: {
        ...x.dims,
        requests: {
          value: [100, 100, 12][i],
          share: [100 / 212, 100 / 212, 12 / 212][i],
          expectedShare: [0.5, 0.5, 0][i],
        },
      },
    }));
    const view = input({
      members: fixed,
      scores: {
        ...scores,
        requests: { ...scores.requests, score: 0, hottest: fixed[0].endpoint },
      } as DiagnosisInput['scores'],
      balancer: balancer(servers),
    });
    const [c] = balancerDrain.run(view).candidates;
    expect(c.severity).toBe('info');
    expect(c.title).toBe('etcd-3 drained at the balancer (DRAIN) since 06:59:12 UTC');
    expect(c.summary).toContain('a decision, not a skew');
    expect(c.summary).toContain(`over equal shares (etcd-1 ${formatPercent(0.5)}, etcd-2 ${formatPercent(0.5)})`);
    expect(c.summary).toContain(
      `It still serves ${formatPercent(12 / 212)} of requests over connections opened before`,
    );
    expect(c.fixes[0].body).toContain('set server etcd/etcd-3 state ready');
    expect(diagnose(view).candidates.filter((x) => x.severity !== 'info')).toEqual([]);
  });

  it('says when it was already drained at Fulcrum’s first look, and brings weight 0 back to the initial weight', () => {
    const m = three();
    const d = { reason: 'weight 0' as const, since: drainedAt, sinceFirstLook: true };
    const view = input({
      members: m,
      balancer: balancer(m.map((x, i) => server(x, i === 0 ? { weight: 0, initialWeight: 30, drained: d } : {}))),
    });
    const [c] = balancerDrain.run(view).candidates;
    expect(c.title).toBe('etcd-1 drained at the balancer (weight 0) since at least 06:59:12 UTC');
    expect(c.fixes[0].body).toContain('set server etcd/etcd-1 weight 30');
    expect(balancerDrain.run(input({ members: m, balancer: balancer(m.map((x) => server(x))) })).candidates).toEqual(
      [],
    );
  });
});
