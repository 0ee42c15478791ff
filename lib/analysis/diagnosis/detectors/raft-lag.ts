// raft-lag: a follower whose applied index trails the leader's, or stopped moving.
import { formatDuration } from '../../../format';
import { isLive } from '../../live';
import type { Candidate, Detector } from '../types';
import { sq } from '../fixes';
import { allEndpoints, memberIdText, result } from './common';

export const raftLag: Detector = {
  kind: 'raft-lag',
  run(input) {
    const t = input.thresholds;
    const leader = input.members.find((m) => m.isLeader && isLive(m));
    if (!leader || leader.raftIndex === null) return result('raft-lag', [], '', 'no leader index to compare with');
    const candidates: Candidate[] = [];
    for (const m of input.members) {
      if (m === leader || !isLive(m) || m.raftAppliedIndex === null) continue;
      let lag: bigint;
      try {
        lag = BigInt(leader.raftIndex) - BigInt(m.raftAppliedIndex);
      } catch {
        continue;
      }
      const stalled = m.signals.appliedStalledPolls >= t.raftStalledPolls;
      if (lag <= BigInt(t.raftLagEntries) && !stalled) continue;
      candidates.push({
        kind: 'raft-lag',
        members: [m.endpoint],
        severity: stalled ? 'critical' : 'warning',
        title: stalled ? `${m.name} stopped applying raft entries` : `${m.name} is ${lag} entries behind the leader`,
        summary: `${m.name}'s applied index ${m.raftAppliedIndex} trails the leader's ${leader.raftIndex}${stalled ? ` and has not moved for ${m.signals.appliedStalledPolls} polls` : ''}: it serves stale reads and slows linearizable ones.`,
        evidence: [
          { label: 'leader raft index', value: leader.raftIndex, member: leader.endpoint },
          { label: `${m.name} applied index`, value: m.raftAppliedIndex, member: m.endpoint },
          { label: 'lag (entries)', value: lag.toString(), threshold: String(t.raftLagEntries) },
          {
            label: 'polls without progress',
            value: String(m.signals.appliedStalledPolls),
            threshold: String(t.raftStalledPolls),
          },
          { label: `${m.name} WAL fsync p99`, value: formatDuration(m.signals.walFsyncP99), member: m.endpoint },
        ],
        fixes: [
          {
            title: `Find out why ${m.name} can't keep up`,
            format: 'shell',
            body: `etcdctl --endpoints=${sq(allEndpoints(input))} endpoint status -w table   # compare RAFT INDEX / RAFT APPLIED INDEX\n# on ${m.name}: iostat -x 1; top -p "$(pgrep -x etcd)"`,
            why: 'a follower falls behind when its disk or CPU is saturated or its network to the leader is slow',
            risk: 'none (read-only)',
          },
          {
            title: 'If it never catches up: rebuild it',
            format: 'shell',
            body: `etcdctl --endpoints=${sq(leader.endpoint)} member remove ${memberIdText(m.id)}\netcdctl --endpoints=${sq(leader.endpoint)} member add ${m.name} --peer-urls=<its peer URL>\n# wipe its data dir, start it with --initial-cluster-state=existing`,
            why: 'a fresh member gets a snapshot from the leader instead of replaying entries',
            risk: 'the cluster runs one member short meanwhile; never do this to two members at once',
          },
        ],
        confidence: 0.75,
      });
    }
    return result('raft-lag', candidates, `followers within ${t.raftLagEntries} entries of the leader`);
  },
};
