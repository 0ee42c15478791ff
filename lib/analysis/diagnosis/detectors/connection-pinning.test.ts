import { describe, expect, it } from 'vitest';
import { balancer, fixText, input, nginxInFront, server, three, withLoad } from '../testkit';
import { connectionPinning } from './connection-pinning';

describe('connection-pinning', () => {
  it('fires when a member serves far more requests than its share of new connections', () => {
    const { members, scores } = withLoad(three(), [50, 50, 400]);
    const b = balancer(members.map((m) => server(m, { sessionRate: 5, scur: 3 })));
    const r = connectionPinning.run(input({ members, scores, balancer: b }));
    expect(r.candidates.map((c) => c.members[0])).toEqual([members[2].endpoint]);
    expect(fixText(r.candidates[0])).toContain(members.map((m) => m.endpoint).join(','));
  });
  it('does not call weights pinning: new connections follow the requests', () => {
    const { members, scores } = withLoad(three(), [50, 50, 400]);
    const b = balancer(members.map((m, i) => server(m, { sessionRate: [1, 1, 8][i] })));
    expect(connectionPinning.run(input({ members, scores, balancer: b })).candidates).toEqual([]);
  });
});

describe('connection-pinning behind NGINX (stream)', () => {
  it('shows sessions ended and how long they last; the L7 fix is grpc_pass with the same upstream', () => {
    const { members, scores } = withLoad(three(), [50, 50, 400]);
    const front = nginxInFront(members, [{ meanTimeMs: 1200 }, { meanTimeMs: 1300 }, { meanTimeMs: 95_000 }]);
    const c = connectionPinning.run(input({ members, scores, ...front })).candidates[0];
    expect(c.members).toEqual([members[2].endpoint]);
    expect(c.evidence.find((e) => e.label === 'etcd-3')?.value).toContain('sessions ended/s');
    expect(c.evidence.find((e) => e.label === 'etcd-3')?.value).toContain('mean session 95 s');
    const l7 = c.fixes.find((f) => f.title.startsWith('Or balance per request at L7'))!;
    expect(l7.format).toBe('nginx');
    expect(l7.body).toContain('grpc_pass grpc://etcd;');
    expect(l7.body).toContain('    keepalive 32;');
    expect(l7.body).toContain('listen 2379 http2;');
  });
});
