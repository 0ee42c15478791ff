import { describe, expect, it } from 'vitest';
import { balancer, fixText, input, member, nginxInFront, server, three, withLoad } from '../testkit';
import { requestSkew } from './request-skew';

describe('request-skew', () => {
  it('fires on the hottest member and blames changed balancer weights with commands to restore them', () => {
    const m = [member(1, { weight: 30 }), member(2, { weight: 20 }), member(3, { weight: 10 })];
    const { members, scores } = withLoad(m, [100, 100, 800], undefined, true);
    const b = balancer(members.map((x, i) => server(x, { weight: [10, 10, 80][i] })));
    const r = requestSkew.run(
      input({
        members,
        scores,
        weighted: true,
        balancer: b,
        balancerRef: {
          type: 'haproxy',
          backend: 'etcd',
          runtimeApi: '127.0.0.1:9999',
          plusApi: null,
          configFile: null,
        },
      }),
    );
    expect(r.candidates).toHaveLength(1);
    const c = r.candidates[0];
    expect(c.members).toEqual([members[2].endpoint]);
    expect(c.summary).toContain("balancer's weights (10/10/80)");
    expect(fixText(c)).toContain('set server etcd/etcd-3 weight 10');
    expect(fixText(c)).toContain('set server etcd/etcd-1 weight 30');
    expect(fixText(c)).toContain('tcp-connect:127.0.0.1:9999');
    // The basis it measured against, in the title and the evidence.
    expect(c.title).toContain('by the configured weights');
    expect(c.evidence.find((e) => e.label === 'measured against')?.value).toBe('the configured weights 30/20/10');
  });
  it("states the basis with the drained members set aside, and does not take a drain for the balancer's weights", () => {
    // etcd-1 drained at the balancer (weight kept, state DRAIN): the other two are expected 50/50
    // and etcd-3 carries most of it.
    const { members, scores } = withLoad(three(), [0, 20, 80], undefined, false, [true, false, false]);
    const drained = { reason: 'DRAIN' as const, since: 1, sinceFirstLook: false };
    const b = balancer(
      members.map((x, i) => server(x, { weight: 10, ...(i === 0 ? { status: 'DRAIN', drained } : {}) })),
    );
    const c = requestSkew.run(input({ members, scores, balancer: b })).candidates[0];
    expect(c.title).toContain('by equal shares');
    expect(c.evidence.find((e) => e.label === 'measured against')?.value).toBe(
      'equal shares (no weights configured), with etcd-1 drained at the balancer (expected 0)',
    );
    expect(c.evidence.find((e) => e.label === 'ruled out')?.value).toContain('balancer weights match');
    expect(c.evidence.find((e) => e.label === 'candidate causes')?.value).not.toContain('DRAIN');
  });
  it('lists the causes it could not rule out without a balancer, and stays quiet below the threshold', () => {
    const skew = withLoad(three(), [10, 10, 80]);
    const c = requestSkew.run(input(skew)).candidates[0];
    expect(c.evidence.find((e) => e.label === 'candidate causes')?.value).toMatch(/pinning/);
    expect(requestSkew.run(input(withLoad(three(), [34, 33, 33]))).candidates).toEqual([]);
  });
});

describe('request-skew behind NGINX', () => {
  const m = [member(1, { weight: 30 }), member(2, { weight: 20 }), member(3, { weight: 10 })];
  const { members, scores } = withLoad(m, [100, 100, 800], undefined, true);
  const skewed = (opts = {}) =>
    requestSkew.run(
      input({
        members,
        scores,
        weighted: true,
        ...nginxInFront(
          members,
          [10, 10, 80].map((weight) => ({ weight, initialWeight: weight })),
          opts,
        ),
      }),
    ).candidates[0];

  it('the fix is the complete upstream block with the configured weights, then nginx -t && nginx -s reload', () => {
    const c = skewed();
    expect(c.summary).toContain("balancer's weights (10/10/80)");
    const block = c.fixes.find((f) => f.format === 'nginx')!.body;
    expect(block).toBe(
      [
        '# upstream etcd with weights 30/20/10 (replaces the upstream at /etc/nginx/conf.d/etcd.conf:1)',
        'upstream etcd {',
        '    zone etcd 64k;',
        '    server 10.0.0.1:2379 weight=30 max_fails=2 fail_timeout=5s;',
        '    server 10.0.0.2:2379 weight=20 max_fails=2 fail_timeout=5s;',
        '    server 10.0.0.3:2379 weight=10 max_fails=2 fail_timeout=5s;',
        '}',
      ].join('\n'),
    );
    expect(fixText(c)).toContain('nginx -t && nginx -s reload');
    // no HAProxy commands for an NGINX balancer
    expect(fixText(c)).not.toContain('set server');
  });

  it('with the Plus API: PATCH each server by address, and keep the config in step', () => {
    const c = skewed({ plusApi: 'http://10.0.0.9:8080/api' });
    const api = c.fixes.find((f) => f.title === 'Set the weights now (NGINX Plus API)')!.body;
    expect(api).toContain('servers=http://10.0.0.9:8080/api/$v/stream/upstreams/etcd/servers');
    expect(api).toContain(`select(.server == "10.0.0.3:2379")`);
    expect(api).toContain(`curl -s -X PATCH -d '{"weight":10}' "$servers/$id"`);
    expect(c.fixes.map((f) => f.format)).toEqual(['shell', 'nginx', 'shell']);
  });
});
