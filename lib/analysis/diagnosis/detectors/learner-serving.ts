// learner-serving: a learner (a non-voting member still catching up, added with `member add
// --learner`) is in the balancer's rotation. etcd's learner rejects every request but serializable
// reads and the member status API ("etcdserver: rpc not supported for learner"); etcd's own client
// balancer leaves learners out, a TCP or HTTP balancer does not, and a learner's /health answers
// true once it knows the leader, so an HTTP check keeps it UP. The clients the balancer sends it
// fail their writes, linearizable reads, watches and leases, while the learner shows little load.
import { formatNumber, memberIdHex } from '../../../format';
import type { Candidate, Detector } from '../types';
import { drainFixes, serverOf, weightNow } from '../fixes';
import { result } from './common';

/** How far its raft index is behind the leader's, when both are known. */
function behindLeader(members: ReadonlyArray<{ isLeader: boolean; raftIndex: string | null }>, own: string | null) {
  const leader = members.find((x) => x.isLeader)?.raftIndex ?? null;
  if (!leader || !own || !/^\d+$/.test(leader) || !/^\d+$/.test(own)) return null;
  const d = BigInt(leader) - BigInt(own);
  return d < 0n ? 0n : d;
}

export const learnerServing: Detector = {
  kind: 'learner-serving',
  run(input) {
    const learners = input.members.filter((m) => m.isLearner);
    if (!input.balancer)
      return result(
        'learner-serving',
        [],
        '',
        learners.length
          ? `no balancer configured: cannot see whether ${learners.map((m) => m.name).join(', ')} (learner) gets traffic`
          : 'no balancer configured',
      );
    if (!input.balancer.ok) return result('learner-serving', [], '', `balancer unreadable: ${input.balancer.error}`);
    const candidates: Candidate[] = [];
    for (const m of learners) {
      const srv = serverOf(input, m);
      if (!srv?.status.startsWith('UP')) continue;
      const weight = weightNow(input, m);
      if (weight <= 0) continue;
      const traffic = srv.scur > 0 || (srv.sessionRate ?? 0) > 0;
      const hex = memberIdHex(m.id);
      const behind = behindLeader(input.members, m.raftIndex);
      candidates.push({
        kind: 'learner-serving',
        members: [m.endpoint],
        severity: traffic ? 'critical' : 'warning',
        title: `${m.name} is a learner but ${srv.name} is UP in the balancer${traffic ? ' and gets connections' : ''}`,
        summary:
          `${m.name} is a learner (not yet promoted): it rejects writes, linearizable reads, watches and leases ` +
          `("etcdserver: rpc not supported for learner"), yet the balancer has it UP with weight ${weight}` +
          `${traffic ? ' and sends it clients, whose requests fail' : ': the next clients it sends there will fail'}. ` +
          'Keep learners out of the endpoint group until they are promoted.',
        evidence: [
          { label: 'raft role', value: 'learner (non-voting)', member: m.endpoint },
          { label: `balancer server ${srv.name}`, value: `${srv.status}, weight ${weight}`, member: m.endpoint },
          {
            label: 'sessions now / new per s',
            value: `${srv.scur} / ${srv.sessionRate === null ? 'n/a' : formatNumber(srv.sessionRate)}`,
            threshold: '0 for a learner',
            member: m.endpoint,
          },
          ...(behind !== null
            ? [{ label: "raft index behind the leader's", value: behind.toString(), member: m.endpoint }]
            : []),
        ],
        fixes: [
          ...drainFixes(
            input,
            m,
            'a learner cannot serve clients: take it out of the group until it is promoted',
            'none for clients (the learner serves nothing they need); it keeps replicating',
          ),
          {
            title: `Promote ${m.name} once it has caught up`,
            format: 'shell',
            body: [
              `etcdctl --endpoints=<a voting member> member promote ${hex ?? '<member ID in hex>'}`,
              '# etcd refuses while the learner is behind ("can only promote a learner member which is in sync with leader"): retry later',
              `# then put ${srv.name} back: set server ${srv.name.includes('/') ? srv.name : `<backend>/${srv.name}`} state ready`,
            ].join('\n'),
            why: 'a promoted member serves every request, and counts towards quorum',
            risk: 'the cluster size and quorum grow by one: promote only a healthy, caught-up member',
          },
        ],
        confidence: 0.95,
        raiseAfter: traffic ? 1 : undefined,
      });
    }
    return result(
      'learner-serving',
      candidates,
      learners.length
        ? `${learners.map((m) => m.name).join(', ')}: learner, out of the balancer's rotation`
        : 'no learner among the members',
    );
  },
};
