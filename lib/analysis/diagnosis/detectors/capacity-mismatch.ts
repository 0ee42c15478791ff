// capacity-mismatch: shares follow the weights, yet one member answers far slower: its weight asks too much of it.
import { formatDuration, formatPercent } from '../../../format';
import { isLive } from '../../live';
import { median } from '../../../stats';
import type { Candidate, Detector } from '../types';
import { weightFixes } from '../fixes';
import { stallingLeader, stallingMembers } from '../stall';
import { latencyOf, latencyWeights, result } from './common';

export const capacityMismatch: Detector = {
  kind: 'capacity-mismatch',
  run(input) {
    const t = input.thresholds;
    const s = input.scores.requests;
    const withLat = input.members.filter((m) => isLive(m) && latencyOf(input, m) !== null);
    if (withLat.length < 2)
      return result(
        'capacity-mismatch',
        [],
        '',
        `latency p99 needs the gRPC histogram (--metrics extensive) and ${t.minLatencySamples} calls in the window on at least two members`,
      );
    if (s.score === null || s.score >= t.skewScore)
      return result('capacity-mismatch', [], 'shares do not follow the weights: see request-skew');
    const candidates: Candidate[] = [];
    // A stalling member is slow because it pauses: member-stall says so, with the fixes that help.
    // A stalling leader slows every member (they all wait for it): that is member-stall too.
    const stalling = stallingMembers(input);
    if (stallingLeader(input))
      return result('capacity-mismatch', [], `the leader stalls (see member-stall): every member waits for it`);
    for (const m of withLat) {
      if (stalling.has(m.endpoint)) continue;
      const others = withLat.filter((x) => x !== m).map((x) => latencyOf(input, x)!);
      const med = median(others)!;
      const p99 = latencyOf(input, m)!;
      if (!(p99 >= t.capacityLatencyRatio * med && p99 >= t.slowMemberFloorSeconds)) continue;
      const { current, next } = latencyWeights(input, withLat);
      candidates.push({
        kind: 'capacity-mismatch',
        members: [m.endpoint],
        severity: p99 >= t.latencyP99Seconds ? 'critical' : 'warning',
        title: `${m.name} gets its expected share but answers ${(p99 / med).toFixed(1)}× slower than its peers`,
        summary: `Shares follow the weights, yet ${m.name}'s p99 is ${formatDuration(p99)} against ${formatDuration(med)} on the others: its weight asks more of it than it can carry.`,
        evidence: [
          ...withLat.map((x) => ({
            label: `${x.name} p99 / share`,
            value: `${formatDuration(latencyOf(input, x))} / ${formatPercent(x.dims.requests.share)} (expected ${formatPercent(x.dims.requests.expectedShare)})`,
            member: x.endpoint,
          })),
          {
            label: 'ratio to peers’ median',
            value: `${(p99 / med).toFixed(1)}×`,
            threshold: `${t.capacityLatencyRatio}×`,
          },
        ],
        fixes: weightFixes(
          input,
          withLat,
          next,
          `weights scaled by latency headroom (median p99 ${formatDuration(med)} / each member's p99): ${withLat.map((x, i) => `${x.name} ${current[i]}→${next[i]}`).join(', ')}`,
          'recompute after the change: moving load changes latency; a member slow for other reasons (disk) should be fixed, not starved',
        ),
        confidence: 0.7,
        raiseAfter: t.latencyRaiseAfterPolls,
      });
    }
    return result('capacity-mismatch', candidates, 'members with their expected share answer at similar latency');
  },
};
