// peer-network: slow peer round trips or failed peer sends between members.
import { formatDuration } from '../../../format';
import type { Candidate, Detector } from '../types';
import { electionFlags } from '../fixes';
import { logEvidence, result } from './common';

export const peerNetwork: Detector = {
  kind: 'peer-network',
  run(input) {
    const t = input.thresholds;
    const candidates: Candidate[] = [];
    let seen = 0;
    for (const m of input.members) {
      const s = m.signals;
      if (s.peerRttP99 === null && s.peerSendFailures === null) continue;
      seen++;
      const rttBad = s.peerRttP99 !== null && s.peerRttP99 > t.peerRttP99Seconds;
      // Failed sends to a peer that is down are explained by member-down.
      const failures = input.members.some((x) => x.status === 'down' || x.status === 'unknown')
        ? 0
        : (s.peerSendFailures ?? 0);
      const logs = logEvidence(input, m, ['failed to connect to member', 'connection reset by peer']);
      if (!rttBad && failures === 0) continue;
      const f = electionFlags(s.peerRttP99);
      candidates.push({
        kind: 'peer-network',
        members: [m.endpoint],
        severity: failures > 0 && rttBad ? 'critical' : 'warning',
        title: `${m.name} has trouble reaching its peers`,
        summary: `${rttBad ? `peer round-trip p99 ${formatDuration(s.peerRttP99)}` : ''}${rttBad && failures ? ' and ' : ''}${failures ? `${failures} failed peer sends in the last few polls` : ''}: raft messages are slow or lost.`,
        evidence: [
          {
            label: 'peer RTT p99',
            value: formatDuration(s.peerRttP99),
            threshold: formatDuration(t.peerRttP99Seconds),
            member: m.endpoint,
          },
          { label: 'peer send failures (last polls)', value: String(failures), threshold: '0', member: m.endpoint },
          ...logs,
        ],
        fixes: [
          {
            title: 'Check routes between the members',
            format: 'shell',
            body: input.members
              .filter((x) => x !== m)
              .map(
                (x) =>
                  `# from ${m.name}: ping -c 5 ${new URL(x.endpoint).hostname}; nc -vz ${new URL(x.endpoint).hostname} 2380`,
              )
              .join('\n'),
            why: 'members in subnets without routes (or with a firewall between) fail peer sends and time out heartbeats',
            risk: 'none (read-only)',
          },
          {
            title: 'Election timing for this round-trip time',
            format: 'etcd-flags',
            body: `--heartbeat-interval=${f.heartbeatMs}\n--election-timeout=${f.electionMs}`,
            why: 'heartbeat near the measured RTT, election timeout 10× it, so slow links do not cause elections',
            risk: 'slower detection of a real leader failure; same values on every member',
          },
        ],
        confidence: 0.7,
      });
    }
    if (seen === 0) return result('peer-network', [], '', 'no peer metrics (single member, or /metrics unreadable)');
    return result(
      'peer-network',
      candidates,
      `peer RTT p99 ≤ ${formatDuration(t.peerRttP99Seconds)}, no failed peer sends`,
    );
  },
};
