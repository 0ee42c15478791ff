// member-stall: a member whose process keeps pausing (CPU throttling or starvation, a paused VM,
// long GC pauses, memory pressure): it answers late to Fulcrum and to its peers, and everything
// it times itself stretches, while its disk and network are fine. See ../stall.ts for how.
import { formatDuration, formatNumber } from '../../../format';
import { isLive } from '../../live';
import { median } from '../../../stats';
import type { Evidence, Fix } from '../../../types';
import type { Candidate, Detector, DiagnosisInput } from '../types';
import { MIN_PROBES, type StallAssessment, assessStalls } from '../stall';
import { logEvidence, result } from './common';

const ms = (x: number | null) => (x === null ? 'n/a' : `${formatNumber(Math.round(x * 10) / 10)} ms`);

/** What the pattern suggests, from CPU use and GC against the peers. */
function likelyCause(input: DiagnosisInput, a: StallAssessment): string {
  const m = a.member;
  const cpu = m.dims.cpu.value;
  const peersCpu = median(input.members.filter((x) => x !== m && isLive(x)).map((x) => x.dims.cpu.value));
  const gc = m.signals.gcPauseMean;
  if (gc !== null && gc >= 0.01) return 'long Go GC pauses (memory pressure: a large heap, many watchers, a big db)';
  if (cpu !== null && peersCpu !== null && peersCpu > 0 && cpu < 0.7 * peersCpu)
    return `CPU throttling or starvation: it gets ${formatNumber(cpu)} cores against its peers' ${formatNumber(peersCpu)} while doing the same job slower (a CPU limit or quota, a noisy neighbour, an overcommitted host)`;
  return 'pauses of the whole process (CPU starvation, a paused or overcommitted VM, memory pressure or swapping)';
}

function fixes(a: StallAssessment): Fix[] {
  const name = a.member.name;
  return [
    {
      title: 'Look for CPU throttling and starvation',
      format: 'shell',
      body: [
        `# on ${name}'s host: is etcd throttled by its cgroup? (nr_throttled / throttled time going up)`,
        'cat /sys/fs/cgroup/cpu.stat 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.stat',
        '# run queue (r) and steal time (st, a VM waiting for its host): both should stay low',
        'vmstat 1 5',
        'top -H -p "$(pgrep -x etcd)"',
        '# Kubernetes (cAdvisor): share of CPU periods in which etcd was throttled',
        '# rate(container_cpu_cfs_throttled_periods_total{container="etcd"}[5m]) / rate(container_cpu_cfs_periods_total{container="etcd"}[5m])',
      ].join('\n'),
      why: 'a CFS quota pauses the whole process once it used its share of a period: every request, heartbeat and commit in flight waits',
      risk: 'none (read-only)',
    },
    {
      title: 'Give etcd the CPU it needs, without a CPU limit',
      format: 'yaml',
      body: [
        '# etcd container (static pod or StatefulSet): Guaranteed memory, CPU requested, not capped',
        'resources:',
        '  requests:',
        '    cpu: "2"          # at least its measured peak',
        '    memory: 8Gi',
        '  limits:',
        '    memory: 8Gi       # no cpu limit: a CFS quota stalls etcd mid-request',
      ].join('\n'),
      why: 'requests reserve the CPU; a limit adds throttling pauses that raft counts as slowness',
      risk: 'without a CPU limit etcd can use idle CPU of the node: keep its neighbours in check instead',
    },
    {
      title: 'Dedicated nodes: no noisy neighbours',
      format: 'yaml',
      body: [
        '# taint the etcd nodes and let only etcd tolerate it',
        '# kubectl taint nodes <etcd-node> dedicated=etcd:NoSchedule',
        'tolerations:',
        '  - { key: dedicated, operator: Equal, value: etcd, effect: NoSchedule }',
        'nodeSelector:',
        '  node-role.kubernetes.io/etcd: ""',
      ].join('\n'),
      why: 'batch jobs or a busy API server on the same node take the CPU etcd waits for',
      risk: 'needs spare nodes; move one member at a time (quorum)',
    },
    {
      title: 'GC and memory: keep the heap small and out of swap',
      format: 'shell',
      body: [
        'free -m; swapon --show          # etcd must never swap: swapoff -a',
        `curl -s ${a.member.endpoint}/metrics | grep -E '^go_(gc_duration_seconds|memstats_heap_inuse_bytes)'`,
        '# a soft memory limit makes Go collect before the cgroup limit bites (Go ≥ 1.19, etcd ≥ 3.4.23):',
        'GOMEMLIMIT=7GiB   # in etcd’s environment, below the container’s memory limit',
      ].join('\n'),
      why: 'long GC pauses and swapping stop every goroutine, raft included',
      risk: 'a GOMEMLIMIT too close to the live heap makes Go collect constantly (more CPU)',
    },
  ];
}

export const memberStall: Detector = {
  kind: 'member-stall',
  run(input) {
    const t = input.thresholds;
    const all = assessStalls(input);
    const judged = all.filter((a) => a.probe || a.rtt);
    if (judged.length === 0)
      return result(
        'member-stall',
        [],
        '',
        `no outside timing yet (Fulcrum's probe needs ${MIN_PROBES} polls; peers' round trips come every ~30 s)`,
      );
    const candidates: Candidate[] = [];
    for (const a of all) {
      if (!a.stalling) continue;
      const m = a.member;
      const evidence: Evidence[] = [];
      if (a.probe)
        evidence.push(
          {
            label: "Fulcrum's probe (Status RPC): later than the fastest member, median",
            value: `+${ms(a.probe.excessMs)} (90th percentile +${ms(a.probe.excessP90Ms)})`,
            threshold: `≥ ${t.stallProbeExcessMs} ms; Fulcrum's own lateness taken off`,
            member: m.endpoint,
          },
          {
            label: 'probe round trip, median',
            value: `${ms(a.probe.ownP50Ms)} (fastest member ${ms(a.probe.fastestP50Ms)})`,
            member: m.endpoint,
          },
        );
      if (a.rtt)
        evidence.push({
          label: "peers' round trip towards it",
          value: formatDuration(a.rtt.fromPeers),
          threshold: `among the others ${formatDuration(a.rtt.amongOthers)}${a.rttSlow ? ` (≥ ${t.stallRatio}×)` : ''}`,
          member: m.endpoint,
        });
      evidence.push(...a.inside);
      evidence.push({
        label: 'WAL fsync p99 / backend commit p99',
        value: `${formatDuration(m.signals.walFsyncP99)} / ${formatDuration(m.signals.backendCommitP99)}`,
        threshold: 'a slow disk slows fsync but not the probe nor the peers’ round trips',
        member: m.endpoint,
      });
      evidence.push({
        label: 'process CPU (cores)',
        value: `${formatNumber(m.dims.cpu.value)} (peers ${input.members
          .filter((x) => x !== m && isLive(x))
          .map((x) => formatNumber(x.dims.cpu.value))
          .join(', ')})`,
        member: m.endpoint,
      });
      evidence.push({
        label: 'Go GC pause mean / longest remembered',
        value: `${formatDuration(m.signals.gcPauseMean)} / ${formatDuration(m.signals.gcPauseMax)}`,
        member: m.endpoint,
      });
      evidence.push(
        ...logEvidence(input, m, ['request took too long', 'failed to send out heartbeat on time', 'lost leader']),
      );
      const cause = likelyCause(input, a);
      const outside = [
        a.probeSlow && a.probe ? `Fulcrum's probe waits ${ms(a.probe.excessMs)} longer than on the fastest member` : '',
        a.rttSlow && a.rtt
          ? `its peers' round trip towards it is ${formatDuration(a.rtt.fromPeers)} against ${formatDuration(a.rtt.amongOthers)} among themselves`
          : '',
      ].filter(Boolean);
      const critical = m.isLeader || (a.probe?.excessMs ?? 0) >= t.latencyP99Seconds * 500;
      candidates.push({
        kind: 'member-stall',
        members: [m.endpoint],
        severity: critical ? 'critical' : 'warning',
        title: `${m.name} is stalling: it answers late to everyone while its disk and network are fine`,
        summary: `${m.name}'s process keeps pausing: ${outside.join(', and ')}, and what it times itself stretches (${a.inside.map((e) => `${e.label} ${e.value}`).join('; ')}). Most likely: ${cause}.${m.isLeader ? ' It leads: every write waits for it.' : ''}`,
        evidence,
        fixes: fixes(a),
        confidence: a.probeSlow && a.rttSlow ? 0.85 : 0.7,
      });
    }
    return result(
      'member-stall',
      candidates,
      `no member answers late to both Fulcrum's probe or its peers and stretches its own timings (${judged.length} judged)`,
    );
  },
};
