import { describe, expect, it } from 'vitest';
import type { BalancerServer } from '../../../types';
import { balancer, fixText, input, member, server, three } from '../testkit';
import { learnerServing } from './learner-serving';

describe('learner-serving', () => {
  const withLearner = () => {
    const m = three();
    m[2] = member(3, { isLearner: true, id: '10501334649042878790', raftIndex: '900' });
    m[0] = { ...m[0], isLeader: true, raftIndex: '1000' };
    return m;
  };
  const behind = (m: ReturnType<typeof withLearner>, learner: Partial<BalancerServer>) =>
    input({
      members: m,
      balancer: balancer(m.map((x, i) => server(x, i === 2 ? learner : {}))),
      balancerRef: { type: 'haproxy', backend: 'etcd', runtimeApi: '/run/h.sock', plusApi: null, configFile: null },
    });

  it('raises a learner UP with connections as critical, with the promote command in hex and the drain', () => {
    const m = withLearner();
    const r = learnerServing.run(behind(m, { status: 'UP', scur: 4, sessionRate: 2 }));
    expect(r.candidates.map((c) => c.members)).toEqual([[m[2].endpoint]]);
    const c = r.candidates[0];
    expect(c.severity).toBe('critical');
    expect(c.evidence.find((e) => e.label.startsWith('raft index behind'))?.value).toBe('100');
    expect(fixText(c)).toContain('member promote 91bc3c398fb3c146');
    expect(fixText(c)).toContain('set server etcd/etcd-3 state maint');
  });

  it('warns about a learner UP in rotation that has no connections yet', () => {
    const r = learnerServing.run(behind(withLearner(), { status: 'UP', scur: 0, sessionRate: 0 }));
    expect(r.candidates.map((c) => c.severity)).toEqual(['warning']);
  });

  it('says nothing when the learner is out of rotation (drained, in maintenance, down, weight 0) or there is none', () => {
    for (const change of [{ status: 'DRAIN' }, { status: 'MAINT' }, { status: 'DOWN' }, { weight: 0 }])
      expect(learnerServing.run(behind(withLearner(), change)).candidates, JSON.stringify(change)).toEqual([]);
    const none = learnerServing.run(behind(three(), {}));
    expect(none.candidates).toEqual([]);
    expect(none.check.note).toBe('no learner among the members');
  });

  it('is not checked without a balancer, and names the learner', () => {
    const r = learnerServing.run(input({ members: withLearner() }));
    expect(r.check.state).toBe('not-checked');
    expect(r.check.note).toContain('etcd-3 (learner)');
  });
});
