// member-down: a member that does not answer: critical at once, with quorum math and how to replace it.
import type { Evidence, Fix } from '../../../types';
import { isLive } from '../../live';
import type { Candidate, Detector } from '../types';
import { drainFixes, serverOf, sq } from '../fixes';
import { allEndpoints, memberIdText, result } from './common';

export const memberDown: Detector = {
  kind: 'member-down',
  run(input) {
    const down = input.members.filter((m) => m.status === 'down');
    const quorumLost = down.length > 0 && input.members.length - down.length <= Math.floor(input.members.length / 2);
    const candidates: Candidate[] = down.map((m) => {
      const srv = serverOf(input, m);
      const evidence: Evidence[] = [
        { label: 'error', value: m.error ?? 'no answer', member: m.endpoint },
        {
          label: 'last seen',
          value: m.lastSeen ? new Date(m.lastSeen).toISOString() : 'never since Fulcrum started',
          member: m.endpoint,
        },
        {
          label: 'members up',
          value: `${input.members.length - down.length} of ${input.members.length}`,
          threshold: `quorum ${Math.floor(input.members.length / 2) + 1}`,
        },
      ];
      if (srv)
        evidence.push({
          label: `balancer server ${srv.name}`,
          value: `${srv.status}, check ${srv.checkStatus ?? 'none'}`,
          member: m.endpoint,
        });
      const fixes: Fix[] = [
        {
          title: `Check ${m.name} itself`,
          format: 'shell',
          body: [
            `etcdctl --endpoints=${sq(m.endpoint)} endpoint health --command-timeout=3s`,
            `etcdctl --endpoints=${sq(allEndpoints(input))} endpoint status -w table`,
            '# on the host:',
            'systemctl status etcd; journalctl -u etcd -n 200 --no-pager',
            'df -h /var/lib/etcd; free -m',
          ].join('\n'),
          why: 'a member that does not answer is crashed, hung (disk, memory) or cut off by the network',
          risk: 'none (read-only)',
        },
      ];
      if (srv?.status.startsWith('UP'))
        fixes.push(
          ...drainFixes(
            input,
            m,
            'the balancer still counts it UP, so clients connecting through it fail',
            'the other members take its share',
          ),
        );
      fixes.push({
        title: 'If it will not come back: replace the member',
        format: 'shell',
        body: [
          `etcdctl --endpoints=${sq(
            input.members
              .filter(isLive)
              .map((x) => x.endpoint)
              .join(',') || m.endpoint,
          )} member remove ${memberIdText(m.id)}`,
          `etcdctl --endpoints=<a live member> member add ${m.name} --peer-urls=<new peer URL>`,
          `# then start the new member with an empty data dir and --initial-cluster-state=existing`,
        ].join('\n'),
        why: 'a permanently lost member keeps counting toward quorum until removed',
        risk: 'only with quorum intact; never remove members while another is down unless you know quorum math',
      });
      return {
        kind: 'member-down',
        members: [m.endpoint],
        severity: 'critical',
        title: `${m.name} is down`,
        summary: `${m.name} has not answered${quorumLost ? ' (and the cluster has lost quorum)' : ''}: ${m.error ?? 'no answer'}`,
        evidence,
        fixes,
        confidence: 0.95,
        raiseAfter: 1,
      };
    });
    return result('member-down', candidates, `all ${input.members.length} members answer`);
  },
};
