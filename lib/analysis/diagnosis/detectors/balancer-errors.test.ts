import { describe, expect, it } from 'vitest';
import { balancer, fixText, input, nginxInFront, server, three } from '../testkit';
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

describe('balancer-errors behind NGINX', () => {
  it('counts the errors the logs showed, says when no server was live, and fixes with NGINX retries', () => {
    const m = three();
    const errs = { econ: 30, eresp: 0, wretr: 30, wredis: 0, hrsp5xx: 0, srvAbrt: 0 };
    const stream = nginxInFront(m, [{ errors: errs }]);
    stream.balancer!.nginx!.noLiveUpstreams = 4;
    const c = balancerErrors.run(input({ members: m, ...stream })).candidates[0];
    expect(c.members).toEqual([m[0].endpoint]);
    expect(c.evidence.find((e) => e.label.startsWith('"no live upstreams"'))?.value).toBe('4');
    expect(fixText(c)).toContain('proxy_next_upstream on;');
    expect(fixText(c)).not.toContain('option redispatch');
    const grpc = balancerErrors.run(input({ members: m, ...nginxInFront(m, [{ errors: errs }], { protocol: 'grpc' }) }))
      .candidates[0];
    expect(fixText(grpc)).toContain('grpc_next_upstream error timeout http_502 http_503;');
  });
});
