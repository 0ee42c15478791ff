import { describe, expect, it } from 'vitest';
import { balancer, fixText, input, member, server, three } from '../testkit';
import { diagnose } from './index';
import { balancerOutage } from './balancer-outage';

const ref = {
  type: 'haproxy' as const,
  backend: 'etcd',
  runtimeApi: '/run/haproxy.sock',
  plusApi: null,
  configFile: null,
};
const livez = { type: 'http' as const, method: 'GET', path: '/livez', interMs: {}, expect: 'status 200' };
const wrongStatus = { status: 'DOWN', checkStatus: 'L7STS', checkCode: '404', checkDesc: 'Layer7 wrong status' };

/** Every member's check failing with 404 on /livez, the members on `version`. */
function failingEverywhere(version: string | null) {
  const m = three().map((x) => ({ ...x, version }));
  return input({
    members: m,
    balancerRef: ref,
    balancer: balancer(
      m.map((x) => server(x, wrongStatus)),
      { check: livez },
    ),
  });
}

describe('balancer-outage', () => {
  it('says first that clients get no etcd, with the HTTP status the check gets and the path it asks', () => {
    const view = failingEverywhere('3.4.23');
    const [c] = balancerOutage.run(view).candidates;
    expect(c.severity).toBe('critical');
    expect(c.title).toBe(
      'Outage: the balancer has no member UP (its health check gets HTTP 404 from GET /livez, expect status 200): clients get no etcd at all',
    );
    expect(c.summary).toContain('the check is wrong, not the members');
    expect(c.evidence.find((e) => e.label === 'servers UP at the balancer')?.value).toBe('0 of 3');
    expect(c.evidence.find((e) => e.label === 'configured check')?.threshold).toBe(
      'etcd 3.4.23 serves /health?exclude=NOSPACE',
    );
    // the version table's check for 3.4.23 (/readyz only from 3.5.11)
    expect(c.fixes.map((f) => f.title)).toContain('Then: check /health?exclude=NOSPACE, which etcd 3.4.23 serves');
    expect(fixText(c)).toContain("echo 'disable health etcd/etcd-1' | socat stdio unix-connect:/run/haproxy.sock");
    expect(fixText(c)).toContain('option httpchk GET /health?exclude=NOSPACE');
    expect(c.raiseAfter).toBe(1);
    // Said before anything else: the findings come out ordered with it first.
    const all = diagnose(view)
      .candidates.filter((x) => x.severity === 'critical')
      .map((x) => x.kind);
    expect(all).toContain('health-check-gap');
  });

  it('names etcd without a version when no member said one (no gap in the text)', () => {
    const view = failingEverywhere(null);
    const [c] = balancerOutage.run(view).candidates;
    expect(c.evidence.find((e) => e.label === 'configured check')?.threshold).toBe('etcd serves /health');
    expect(c.fixes.map((f) => f.title)).toContain('Then: check /health, which etcd serves');
  });

  it('raises too when fewer than a quorum are UP, and not when a quorum is', () => {
    const m = three();
    const two = input({
      members: m,
      balancer: balancer([server(m[0]), server(m[1]), server(m[2], wrongStatus)]),
    });
    expect(balancerOutage.run(two).candidates).toEqual([]);
    expect(balancerOutage.run(two).check.note).toBe('2 of 3 servers UP at the balancer');
    const one = input({
      members: m,
      balancer: balancer([server(m[0]), server(m[1], wrongStatus), server(m[2], wrongStatus)]),
    });
    const [c] = balancerOutage.run(one).candidates;
    expect(c.title).toMatch(
      /^Outage risk: the balancer has only 1 of 3 members UP, fewer than a quorum \(2\); its check gets HTTP 404/,
    );
    expect(c.members).toEqual([m[1].endpoint, m[2].endpoint]);
  });

  it('tells members that are really down from a wrong check, and an operator’s drain from both', () => {
    const m = [member(1, { status: 'down' }), member(2, { status: 'down' }), member(3)];
    const dead = { status: 'DOWN', checkStatus: 'L4CON', checkDesc: 'Connection refused' };
    const [down] = balancerOutage.run(
      input({ members: m, balancer: balancer([server(m[0], dead), server(m[1], dead), server(m[2])]) }),
    ).candidates;
    expect(down.summary).toContain('the members themselves are down');
    expect(fixText(down)).toContain('endpoint health');
    const ok = three();
    const drained = { reason: 'MAINT' as const, since: 1, sinceFirstLook: false };
    const [op] = balancerOutage.run(
      input({
        members: ok,
        balancerRef: ref,
        balancer: balancer(ok.map((x) => server(x, { status: 'MAINT', drained }))),
      }),
    ).candidates;
    expect(op.title).toBe('Outage: the balancer has no member UP: clients get no etcd at all');
    expect(op.summary).toContain('taken out by an operator');
    expect(fixText(op)).toContain('set server etcd/etcd-2 state ready');
  });

  it('has nothing to say without a readable balancer', () => {
    expect(balancerOutage.run(input({ members: three() })).check.state).toBe('not-checked');
    expect(
      balancerOutage.run(input({ members: three(), balancer: balancer([], { ok: false, error: 'refused' }) })).check
        .note,
    ).toContain('refused');
  });
});
