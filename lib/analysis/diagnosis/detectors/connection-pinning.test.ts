import { describe, expect, it } from 'vitest';
import { balancer, fixText, input, server, three, withLoad } from '../testkit';
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
