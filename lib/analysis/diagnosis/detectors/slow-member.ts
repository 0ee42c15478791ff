// slow-member: a member whose p99 latency is far above its peers or above the absolute limit.
import { formatDuration } from '../../../format';
import { isLive } from '../../live';
import { median } from '../../../stats';
import type { Candidate, Detector } from '../types';
import { weightFixes } from '../fixes';
import { stallingLeader, stallingMembers } from '../stall';
import { latencyOf, latencyWeights, logEvidence, result } from './common';

export const slowMember: Detector = {
  kind: 'slow-member',
  run(input) {
    const t = input.thresholds;
    const withLat = input.members.filter((m) => isLive(m) && latencyOf(input, m) !== null);
    if (withLat.length === 0)
      return result(
        'slow-member',
        [],
        '',
        `no latency histogram (--metrics extensive) or fewer than ${t.minLatencySamples} calls in the window`,
      );
    const candidates: Candidate[] = [];
    // A stalling member is slow because it pauses: member-stall says so, with the fixes that help.
    // A stalling leader slows every member (they all wait for it): that is member-stall too.
    const stalling = stallingMembers(input);
    if (stallingLeader(input))
      return result('slow-member', [], `the leader stalls (see member-stall): every member waits for it`);
    for (const m of withLat) {
      if (stalling.has(m.endpoint)) continue;
      const p99 = latencyOf(input, m)!;
      const med = median(withLat.filter((x) => x !== m).map((x) => latencyOf(input, x)!));
      const relative = med !== null && p99 >= t.slowMemberRatio * med && p99 >= t.slowMemberFloorSeconds;
      const absolute = p99 >= t.latencyP99Seconds;
      if (!relative && !absolute) continue;
      const { current, next } = latencyWeights(input, withLat);
      candidates.push({
        kind: 'slow-member',
        members: [m.endpoint],
        severity: absolute ? 'critical' : 'warning',
        title: `${m.name} p99 latency ${formatDuration(p99)}${med !== null ? ` (peers ${formatDuration(med)})` : ''}`,
        summary: `${m.name} answers far slower than ${absolute ? `the ${formatDuration(t.latencyP99Seconds)} limit` : 'its peers'}: clients pinned to it time out first.`,
        evidence: [
          ...withLat.map((x) => ({
            label: `${x.name} p99`,
            value: formatDuration(latencyOf(input, x)),
            member: x.endpoint,
          })),
          {
            label: 'thresholds',
            value: `${formatDuration(t.latencyP99Seconds)} absolute, ${t.slowMemberRatio}× peers' median`,
          },
          {
            label: `${m.name} WAL fsync / commit p99`,
            value: `${formatDuration(m.signals.walFsyncP99)} / ${formatDuration(m.signals.backendCommitP99)}`,
            member: m.endpoint,
          },
          ...logEvidence(input, m, ['request took too long', 'slow fdatasync', 'DeadlineExceeded']),
        ],
        fixes: weightFixes(
          input,
          withLat,
          next,
          `moves load off the slow member in proportion to its latency (${withLat.map((x, i) => `${x.name} ${current[i]}→${next[i]}`).join(', ')})`,
          'treats the symptom: find why it is slow (disk, CPU, noisy neighbour) — see slow-disk',
        ),
        confidence: 0.75,
        raiseAfter: t.latencyRaiseAfterPolls,
      });
    }
    return result(
      'slow-member',
      candidates,
      `p99 below ${formatDuration(t.latencyP99Seconds)} and within ${t.slowMemberRatio}× of peers`,
    );
  },
};
