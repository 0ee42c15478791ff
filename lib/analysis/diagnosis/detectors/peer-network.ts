// peer-network: slow peer round trips or failed peer sends between members.
//
// Every member measures its round trip towards each peer (etcd's `To` label), so a slow pair can
// be told from a slow member: when every slow or failing pair involves one member X, the trouble
// is X (its link or X itself), not the peers that measure it; the healthy ones are not named.
// When X stalls (member-stall), its slow round trips are the stall's: nothing is raised here.
import { formatDuration, memberIdHex } from '../../../format';
import { isLive } from '../../live';
import type { Candidate, Detector, DiagnosisInput } from '../types';
import type { Evidence, MemberState } from '../../../types';
import { electionFlagsFor } from '../../etcd-versions';
import { stallingMembers } from '../stall';
import { logEvidence, result } from './common';

interface Pair {
  from: MemberState;
  to: MemberState;
  rtt: number | null;
  failures: number;
}

/** Every measured pair (from → to) among the live members, with its latest RTT and failed sends. */
function pairs(input: DiagnosisInput): Pair[] {
  const live = input.members.filter(isLive);
  const out: Pair[] = [];
  for (const a of live)
    for (const b of live) {
      if (a === b) continue;
      const hex = memberIdHex(b.id);
      if (!hex) continue;
      const rtt = a.signals.peerRttTo?.[hex] ?? null;
      const failures = a.signals.peerSendFailuresTo?.[hex] ?? 0;
      if (rtt === null && !(hex in (a.signals.peerSendFailuresTo ?? {}))) continue;
      out.push({ from: a, to: b, rtt, failures });
    }
  return out;
}

function routeFix(input: DiagnosisInput, m: MemberState) {
  return {
    title: 'Check routes between the members',
    format: 'shell' as const,
    body: input.members
      .filter((x) => x !== m)
      .map(
        (x) =>
          `# from ${m.name}: ping -c 5 ${new URL(x.endpoint).hostname}; nc -vz ${new URL(x.endpoint).hostname} 2380`,
      )
      .join('\n'),
    why: 'members in subnets without routes (or with a firewall between) fail peer sends and time out heartbeats',
    risk: 'none (read-only)',
  };
}

function timingFix(rtt: number | null) {
  const f = electionFlagsFor(rtt);
  return {
    title: 'Election timing for this round-trip time',
    format: 'etcd-flags' as const,
    body: `--heartbeat-interval=${f.heartbeatMs}\n--election-timeout=${f.electionMs}`,
    why: 'heartbeat near the measured RTT, election timeout 10× it, so slow links do not cause elections',
    risk: 'slower detection of a real leader failure; same values on every member',
  };
}

export const peerNetwork: Detector = {
  kind: 'peer-network',
  run(input) {
    const t = input.thresholds;
    const candidates: Candidate[] = [];
    const stalling = stallingMembers(input);
    // Failed sends towards a member that is down or missed a poll are member-down's.
    const anyAway = input.members.some((x) => x.status === 'down' || x.status === 'unknown');
    const ps = pairs(input);
    const seen = input.members.some((m) => m.signals.peerRttP99 !== null || m.signals.peerSendFailures !== null);
    if (!seen && ps.length === 0)
      return result('peer-network', [], '', 'no peer metrics (single member, or /metrics unreadable)');

    if (ps.length > 0) {
      const bad = ps.filter((p) => (p.rtt !== null && p.rtt > t.peerRttP99Seconds) || (!anyAway && p.failures > 0));
      // Pairs with a stalling member are the stall's (it answers the prober late), not the network's.
      const badNet = bad.filter((p) => !stalling.has(p.from.endpoint) && !stalling.has(p.to.endpoint));
      const quietStall = bad.length > badNet.length;
      // Members that every bad pair involves: one means that member, two means the link between them.
      const culprits = input.members
        .filter(isLive)
        .filter((x) => badNet.length > 0 && badNet.every((p) => p.from === x || p.to === x));
      const named = culprits.length === 1 || culprits.length === 2 ? culprits : [];
      const groups = named.length ? [named] : [...new Set(badNet.map((p) => p.from))].map((x) => [x]);
      for (const m of groups) {
        const mine = badNet.filter((p) => (named.length ? m.includes(p.from) || m.includes(p.to) : m.includes(p.from)));
        const worst = Math.max(0, ...mine.map((p) => p.rtt ?? 0));
        const failures = mine.reduce((a, p) => a + p.failures, 0);
        const rttBad = mine.some((p) => p.rtt !== null && p.rtt > t.peerRttP99Seconds);
        const title =
          named.length === 2
            ? `The link between ${m[0].name} and ${m[1].name} is slow or failing`
            : named.length === 1
              ? `${m[0].name} is hard to reach for its peers`
              : `${m[0].name} has trouble reaching its peers`;
        const others = ps.filter((p) => !mine.includes(p));
        const evidence: Evidence[] = [
          ...mine.map((p) => ({
            label: `${p.from.name} → ${p.to.name}`,
            value: `RTT ${formatDuration(p.rtt)}${p.failures ? `, ${p.failures} failed sends` : ''}`,
            threshold: formatDuration(t.peerRttP99Seconds),
            member: p.from.endpoint,
          })),
          ...(others.length
            ? [
                {
                  label: 'the other pairs',
                  value: others.map((p) => `${p.from.name}→${p.to.name} ${formatDuration(p.rtt)}`).join(', '),
                },
              ]
            : []),
          ...m.flatMap((x) => logEvidence(input, x, ['failed to connect to member', 'connection reset by peer'])),
        ];
        candidates.push({
          kind: 'peer-network',
          members: m.map((x) => x.endpoint),
          severity: failures > 0 && rttBad ? 'critical' : 'warning',
          title,
          summary: `${rttBad ? `peer round trips up to ${formatDuration(worst)}` : ''}${rttBad && failures ? ' and ' : ''}${failures ? `${failures} failed peer sends in the last few polls` : ''}${named.length === 1 ? ` on every pair with ${m[0].name}, while the others reach each other normally` : ''}: raft messages are slow or lost.`,
          evidence,
          fixes: [routeFix(input, m[0]), timingFix(worst || null)],
          confidence: named.length ? 0.8 : 0.7,
          // Round trips are observed about every 30 s per pair: give a sparse signal time.
          raiseAfter: named.length ? t.latencyRaiseAfterPolls : undefined,
        });
      }
      return result(
        'peer-network',
        candidates,
        quietStall && candidates.length === 0
          ? `slow round trips with ${[...stalling].map((e) => input.members.find((x) => x.endpoint === e)?.name ?? e).join(', ')}: it stalls (see member-stall), not the network`
          : `peer RTT ≤ ${formatDuration(t.peerRttP99Seconds)} on every pair, no failed peer sends`,
      );
    }

    // Without per-peer numbers (older recordings, Prometheus): each member's sum over its peers.
    for (const m of input.members) {
      const s = m.signals;
      if (s.peerRttP99 === null && s.peerSendFailures === null) continue;
      if (stalling.has(m.endpoint)) continue;
      const rttBad = s.peerRttP99 !== null && s.peerRttP99 > t.peerRttP99Seconds;
      const failures = anyAway ? 0 : (s.peerSendFailures ?? 0);
      if (!rttBad && failures === 0) continue;
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
          ...logEvidence(input, m, ['failed to connect to member', 'connection reset by peer']),
        ],
        fixes: [routeFix(input, m), timingFix(s.peerRttP99)],
        confidence: 0.7,
      });
    }
    return result(
      'peer-network',
      candidates,
      `peer RTT p99 ≤ ${formatDuration(t.peerRttP99Seconds)}, no failed peer sends`,
    );
  },
};
