import { describe, expect, it } from 'vitest';
import { emptySignals } from '../../member';
import { balancer, fixText, input, member, nginxInFront, server } from '../testkit';
import { unhealthyServing } from './unhealthy-serving';

describe('unhealthy-serving', () => {
  it('fires when a down member is still UP in the balancer with traffic', () => {
    const m = [member(1), member(2, { status: 'down', error: 'deadline exceeded' }), member(3)];
    const b = balancer(m.map((x) => server(x, { checkLayer: 'L4', checkStatus: 'L4OK' })));
    const r = unhealthyServing.run(
      input({
        members: m,
        balancer: b,
        balancerRef: { type: 'haproxy', backend: 'etcd', runtimeApi: '/run/h.sock', plusApi: null, configFile: null },
      }),
    );
    expect(r.candidates).toHaveLength(1);
    expect(r.candidates[0].members).toEqual([m[1].endpoint]);
    expect(fixText(r.candidates[0])).toContain('set server etcd/etcd-2 state maint');
    expect(fixText(r.candidates[0])).toContain('option httpchk GET /readyz');
  });
  it('stays quiet when the balancer already took it out, and says what it could not check without one', () => {
    const m = [member(1), member(2, { status: 'down' }), member(3)];
    expect(
      unhealthyServing.run(
        input({ members: m, balancer: balancer(m.map((x, i) => server(x, { status: i === 1 ? 'DOWN' : 'UP' }))) }),
      ).candidates,
    ).toEqual([]);
    expect(unhealthyServing.run(input({ members: m })).check.state).toBe('not-checked');
  });
  it('counts a member whose applied index stalled as unhealthy', () => {
    const m = [member(1), member(2, { signals: { ...emptySignals(), appliedStalledPolls: 9 } }), member(3)];
    const r = unhealthyServing.run(input({ members: m, balancer: balancer(m.map((x) => server(x))) }));
    expect(r.candidates[0].summary).toContain('applied index');
  });
});

describe('unhealthy-serving behind open-source NGINX', () => {
  it('a frozen member still gets sessions (passive checks see no failure): mark it down and reload', () => {
    const m = [member(1), member(2, { status: 'down', error: 'context deadline exceeded' }), member(3)];
    const r = unhealthyServing.run(input({ members: m, ...nginxInFront(m) }));
    const c = r.candidates[0];
    expect(c.members).toEqual([m[1].endpoint]);
    expect(c.summary).toContain('passive checks only (max_fails=2 fail_timeout=5s on real connections)');
    expect(c.evidence.find((e) => e.label === 'sessions ended per s')?.value).toBe('5.0');
    const body = fixText(c);
    expect(body).toContain('    server 10.0.0.2:2379 weight=1 max_fails=2 fail_timeout=5s down;');
    expect(body).toContain('nginx -t && nginx -s reload');
    expect(body).not.toContain('set server');
    expect(c.fixes.map((f) => f.title)).toContain('Fail fast and move on (all open-source NGINX can do)');
  });

  it('with NGINX Plus: PATCH {"down": true} now, and an active health check on the path etcd serves', () => {
    const m = [member(1), member(2, { status: 'down' }), member(3)].map((x) => ({ ...x, version: '3.5.11' }));
    const c = unhealthyServing.run(input({ members: m, ...nginxInFront(m, [], { plusApi: 'http://lb:8080/api' }) }))
      .candidates[0];
    expect(fixText(c)).toContain(`'{"down":true}'`);
    expect(fixText(c)).toContain('health_check interval=5s fails=2 passes=2 match=etcd_ready;');
    expect(fixText(c)).toContain('send "GET /readyz HTTP/1.0');
  });
});
