// leader-churn: leader changes above the per-minute threshold, with the disk/network driver when one is visible.
import type { Evidence, Fix } from '../../../types';
import { formatDuration } from '../../../format';
import { isLive } from '../../live';
import type { Detector } from '../types';
import { electionFlagsFor } from '../../etcd-versions';
import { sq } from '../fixes';
import { assessStalls } from '../stall';
import { allEndpoints, logEvidence, result } from './common';

export const leaderChurn: Detector = {
  kind: 'leader-churn',
  run(input) {
    const t = input.thresholds;
    const n = input.leaderChangesLastMinute;
    if (n === null) return result('leader-churn', [], '', 'no leader-change counters yet');
    if (n <= t.leaderChangesPerMinute)
      return result(
        'leader-churn',
        [],
        `${n} leader change(s) in the last minute (threshold ${t.leaderChangesPerMinute})`,
      );
    const drivers: string[] = [];
    const evidence: Evidence[] = [
      { label: 'leader changes, last minute', value: String(n), threshold: `> ${t.leaderChangesPerMinute}` },
    ];
    let maxRtt: number | null = null;
    const stalls = assessStalls(input);
    for (const [i, m] of input.members.entries()) {
      const s = m.signals;
      evidence.push({ label: `${m.name} raft term`, value: m.raftTerm ?? 'n/a', member: m.endpoint });
      // A stalling member misses heartbeats and elections follow; its slow disk and network
      // timings are the stall's, not drivers of their own.
      if (stalls[i].recent) {
        drivers.push(
          `${m.name} stalls${stalls[i].probe ? ` (Fulcrum's probe +${Math.round(stalls[i].probe!.excessMs)} ms over the fastest member)` : ''}`,
        );
        continue;
      }
      if (s.walFsyncP99 !== null && s.walFsyncP99 > t.walFsyncP99Seconds)
        drivers.push(`${m.name} WAL fsync p99 ${formatDuration(s.walFsyncP99)}`);
      if (s.backendCommitP99 !== null && s.backendCommitP99 > t.backendCommitP99Seconds)
        drivers.push(`${m.name} backend commit p99 ${formatDuration(s.backendCommitP99)}`);
      if (s.peerRttP99 !== null) maxRtt = Math.max(maxRtt ?? 0, s.peerRttP99);
      if (s.peerRttP99 !== null && s.peerRttP99 > t.peerRttP99Seconds)
        drivers.push(`${m.name} peer RTT p99 ${formatDuration(s.peerRttP99)}`);
      if ((s.heartbeatFailures ?? 0) > 0) drivers.push(`${m.name} failed to send ${s.heartbeatFailures} heartbeats`);
      evidence.push(
        ...logEvidence(input, m, [
          'failed to send out heartbeat on time',
          'slow fdatasync',
          'lost leader',
          'elected leader',
        ]),
      );
    }
    evidence.push({
      label: 'likely driver',
      value: drivers.join('; ') || 'none visible in disk, network or heartbeat metrics',
    });
    const f = electionFlagsFor(maxRtt);
    const fixes: Fix[] = [
      f.areDefaults
        ? {
            title: 'Election timeouts are not the problem',
            format: 'text',
            body: `The measured peer round-trip p99 (${maxRtt === null ? 'not measured' : formatDuration(maxRtt)}) gives --heartbeat-interval=${f.heartbeatMs} --election-timeout=${f.electionMs}: etcd's defaults. Raising them would only delay the detection of a real leader failure. Look at ${drivers.length ? drivers.join('; ') : 'what moves leadership: etcdctl move-leader, member restarts, CPU starvation of the etcd process, heartbeats sent late (“failed to send out heartbeat on time” in the leader log)'}.`,
            why: 'the heartbeat interval should sit near the peer RTT and the election timeout about 10× it (etcd tuning guide); with a fast network the defaults already do',
            risk: 'none',
          }
        : {
            title: 'Election timing that matches the measured network',
            format: 'etcd-flags',
            body: `--heartbeat-interval=${f.heartbeatMs}\n--election-timeout=${f.electionMs}`,
            why: `heartbeat near the peer round-trip p99 (${formatDuration(maxRtt)}) and election timeout 10× it, following etcd's tuning guide (its cross-region example is 500/2000 ms), so slow links stop triggering elections`,
            risk: 'longer timeouts also mean a real leader failure is detected later; set the same values on every member (rolling restart)',
          },
      {
        title: 'Fast, dedicated disk for the WAL',
        format: 'etcd-flags',
        body: '--wal-dir=/var/lib/etcd-wal   # on its own SSD\n# and watch it: iostat -x 1  (keep %util below 70 %)',
        why: 'slow fsync makes followers miss heartbeats; WAL fsync p99 should stay below 10 ms',
        risk: 'moving the WAL needs a member restart with the WAL copied',
      },
    ];
    if (drivers.length === 0) {
      fixes.push({
        title: 'Look for deliberate moves and restarts',
        format: 'shell',
        body: `etcdctl --endpoints=${sq(allEndpoints(input))} endpoint status -w table   # watch RAFT TERM\n# were there etcdctl move-leader calls, member restarts or CPU starvation?`,
        why: 'without a disk or network driver, leadership is being moved or members restart',
        risk: 'none (read-only)',
      });
    }
    return result(
      'leader-churn',
      [
        {
          kind: 'leader-churn',
          members: input.members.filter(isLive).map((m) => m.endpoint),
          severity: n > 5 * Math.max(1, t.leaderChangesPerMinute) ? 'critical' : 'warning',
          title: `${n} leader changes in the last minute`,
          summary: `Leadership keeps moving (${n}/min, threshold ${t.leaderChangesPerMinute}); each new leader takes a burst of traffic and writes stall during elections. ${drivers.length ? `Likely driver: ${drivers[0]}.` : 'No disk or network driver visible.'}`,
          evidence,
          fixes,
          confidence: drivers.length ? 0.8 : 0.6,
          raiseAfter: 1,
        },
      ],
      '',
    );
  },
};
