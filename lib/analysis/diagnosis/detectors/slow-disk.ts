// slow-disk: WAL fsync or backend commit p99 above etcd's guidance.
import { formatDuration } from '../../../format';
import type { Candidate, Detector } from '../types';
import { MIN_PROBES, stallingMembers } from '../stall';
import { logEvidence, result } from './common';

export const slowDisk: Detector = {
  kind: 'slow-disk',
  run(input) {
    const t = input.thresholds;
    const known = input.members.filter((m) => m.signals.walFsyncP99 !== null || m.signals.backendCommitP99 !== null);
    if (known.length === 0) return result('slow-disk', [], '', 'no disk histograms yet');
    const candidates: Candidate[] = [];
    // A stalling member stretches its own fsync and commit timings: member-stall explains them
    // (its probe and its peers' round trips, which touch no disk, are slow too).
    const stalling = stallingMembers(input);
    // Fulcrum's probe (a Status RPC) touches no disk: a member whose typical probe is late has
    // something else wrong even when member-stall can't tell yet (its own timings not far enough
    // above its peers' on a busy machine). And while only the probe's tail is late, a stall may be
    // starting (its median needs half the probes late): wait twice as long before raising, so
    // member-stall can decide first (measured: 7 to 11 polls from the first pause on this machine).
    const probed = (m: (typeof known)[number]) => m.signals.probeSamples >= MIN_PROBES;
    const probeLate = (m: (typeof known)[number]) =>
      probed(m) && (m.signals.probeExcessMs ?? 0) >= t.stallProbeExcessMs;
    const tailLate = (m: (typeof known)[number]) =>
      probed(m) && (m.signals.probeExcessP90Ms ?? 0) >= t.stallProbeExcessMs;
    const explained: string[] = [];
    for (const m of known) {
      const w = m.signals.walFsyncP99;
      const c = m.signals.backendCommitP99;
      const wBad = w !== null && w > t.walFsyncP99Seconds;
      const cBad = c !== null && c > t.backendCommitP99Seconds;
      if (!wBad && !cBad) continue;
      if (stalling.has(m.endpoint) || probeLate(m)) {
        explained.push(m.name);
        continue;
      }
      // Just over the line is worth knowing, not paging for: 2x the threshold warns, 10x is critical.
      const over = Math.max((w ?? 0) / t.walFsyncP99Seconds, (c ?? 0) / t.backendCommitP99Seconds);
      candidates.push({
        kind: 'slow-disk',
        members: [m.endpoint],
        severity: over >= 10 ? 'critical' : over >= 2 ? 'warning' : 'info',
        title:
          over >= 2
            ? `${m.name} disk is slow (WAL fsync p99 ${formatDuration(w)}, commit p99 ${formatDuration(c)})`
            : `${m.name} disk slightly over etcd's latency guidance (WAL fsync p99 ${formatDuration(w)}, commit p99 ${formatDuration(c)})`,
        summary: `${m.name}'s disk can't keep up: slow fsync delays every write it takes part in and makes it miss heartbeats.`,
        evidence: [
          {
            label: 'WAL fsync p99',
            value: formatDuration(w),
            threshold: `${formatDuration(t.walFsyncP99Seconds)}`,
            member: m.endpoint,
          },
          {
            label: 'backend commit p99',
            value: formatDuration(c),
            threshold: `${formatDuration(t.backendCommitP99Seconds)}`,
            member: m.endpoint,
          },
          ...logEvidence(input, m, ['slow fdatasync', 'request took too long']),
        ],
        fixes: [
          {
            title: 'Dedicated fast disk for the WAL',
            format: 'etcd-flags',
            body: '--wal-dir=/var/lib/etcd-wal   # a local SSD of its own',
            why: 'the WAL is fsync-bound: an SSD of its own removes contention with the db and other I/O',
            risk: 'needs a member restart with the WAL moved',
          },
          {
            title: 'Measure and de-prioritise competing I/O',
            format: 'shell',
            body: 'iostat -x 1 5           # %util should stay below 70 %\nionice -c2 -n0 -p "$(pgrep -x etcd)"   # best-effort, highest priority',
            why: 'shows whether the disk is saturated and gives etcd first claim on it',
            risk: 'ionice helps only with the CFQ/BFQ schedulers',
          },
        ],
        confidence: 0.8,
        raiseAfter: tailLate(m) ? 2 * t.latencyRaiseAfterPolls : t.latencyRaiseAfterPolls,
      });
    }
    return result(
      'slow-disk',
      candidates,
      explained.length
        ? `${explained.join(', ')}: slow fsync/commit timings, but the member stalls or Fulcrum's probe (no disk involved) is late too (see member-stall): not the disk`
        : `WAL fsync p99 ≤ ${formatDuration(t.walFsyncP99Seconds)} and commit p99 ≤ ${formatDuration(t.backendCommitP99Seconds)} everywhere`,
    );
  },
};
