import { describe, expect, it } from 'vitest';
import { emptySignals } from '../../member';
import { balancer, fixText, input, member, server } from '../testkit';
import { unhealthyServing } from './unhealthy-serving';

describe('unhealthy-serving', () => {
  it('fires when a down member is still UP in the balancer with traffic', () => {
    const m = [member(1), member(2, { status: 'down', error: 'deadline exceeded' }), member(3)];
    const b = balancer(m.map((x) => server(x, { checkLayer: 'L4', checkStatus: 'L4OK' })));
    const r = unhealthyServing.run(
      input({ members: m, balancer: b, balancerRef: { type: 'haproxy', backend: 'etcd', runtimeApi: '/run/h.sock' } }),
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
