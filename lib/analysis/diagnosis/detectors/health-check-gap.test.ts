import { describe, expect, it } from 'vitest';
import { balancer, fixText, input, server, three } from '../testkit';
import { healthCheckGap } from './health-check-gap';

describe('health-check-gap', () => {
  it('flags TCP-only checks, wrong paths and long intervals, with the NOSPACE trade-off', () => {
    const m = three().map((x) => ({ ...x, version: '3.4.23' }));
    const tcp = healthCheckGap.run(
      input({ members: m, balancer: balancer(m.map((x) => server(x, { checkLayer: 'L4', checkStatus: 'L4OK' }))) }),
    );
    expect(tcp.candidates[0].members).toHaveLength(3);
    expect(tcp.candidates[0].summary).toContain('TCP-only');
    expect(fixText(tcp.candidates[0])).toContain('option httpchk GET /health');
    expect(tcp.candidates[0].fixes[0].risk).toContain('NOSPACE');
    const cfg = {
      type: 'http' as const,
      method: 'GET',
      path: '/healthz',
      interMs: { 'etcd-1': 30_000, 'etcd-2': 2000, 'etcd-3': 2000 },
    };
    const wrong = healthCheckGap.run(
      input({
        members: m,
        balancer: balancer(
          m.map((x) => server(x)),
          { check: cfg },
        ),
      }),
    );
    expect(wrong.candidates[0].severity).toBe('critical');
    expect(wrong.candidates[0].summary).toContain('/healthz');
    expect(wrong.candidates[0].summary).toContain('etcd-1 30 s');
  });
  it('names etcd with its version, or without one when no member said it (no gap in the text)', () => {
    const check = { type: 'http' as const, method: 'GET', path: '/healthz', interMs: {} };
    const summary = (version: string | null) => {
      const m = three().map((x) => ({ ...x, version }));
      return healthCheckGap.run(
        input({
          members: m,
          balancer: balancer(
            m.map((x) => server(x)),
            { check },
          ),
        }),
      ).candidates[0].summary;
    };
    expect(summary('3.4.23')).toContain('the check asks for /healthz, which etcd 3.4.23 does not serve (use /health)');
    expect(summary(null)).toContain('the check asks for /healthz, which etcd does not serve (use /health)');
  });
  it('an HTTP check failing on members etcd calls healthy says so in its title, with the status it got', () => {
    const m = three().map((x) => ({ ...x, version: '3.4.23' }));
    const out = healthCheckGap.run(
      input({
        members: m,
        balancer: balancer(
          m.map((x) =>
            server(x, {
              status: 'DOWN',
              checkLayer: 'L7',
              checkStatus: 'L7STS',
              checkCode: '404',
              checkDesc: 'Layer7 wrong status',
            }),
          ),
        ),
      }),
    );
    expect(out.candidates[0].severity).toBe('critical');
    expect(out.candidates[0].title).toBe("The balancer's HTTP check fails on members etcd calls healthy (HTTP 404)");
    expect(out.candidates[0].evidence.map((e) => e.value).join('\n')).toContain('HTTP 404');
  });
  it('accepts HTTP checks on /health every 5 s', () => {
    const m = three();
    const cfg = {
      type: 'http' as const,
      method: 'GET',
      path: '/health',
      interMs: { 'etcd-1': 5000, 'etcd-2': 5000, 'etcd-3': 5000 },
    };
    expect(
      healthCheckGap.run(
        input({
          members: m,
          balancer: balancer(
            m.map((x) => server(x)),
            { check: cfg },
          ),
        }),
      ).candidates,
    ).toEqual([]);
  });
});
