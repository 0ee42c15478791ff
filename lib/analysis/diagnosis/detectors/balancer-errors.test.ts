import { describe, expect, it } from 'vitest';
import { balancer, input, server, three } from '../testkit';
import { balancerErrors } from './balancer-errors';

describe('balancer-errors', () => {
  it('flags rising balancer errors on one server', () => {
    const m = three();
    const b = balancer(
      m.map((x, i) =>
        server(x, {
          errors: { econ: i === 0 ? 40 : 0, eresp: 0, wretr: 0, wredis: 0, hrsp5xx: 0, srvAbrt: i === 2 ? 50 : 0 },
        }),
      ),
    );
    // etcd-3 is down: its aborted connections are member-down's evidence, not balancer-errors
    m[2] = { ...m[2], status: 'down' };
    const r = balancerErrors.run(input({ members: m, balancer: b }));
    expect(r.candidates.map((c) => c.members[0])).toEqual([m[0].endpoint]);
  });
});
