// member-restarts: a member's etcd process started again (its process_start_time_seconds changed
// between two answered polls). A restart that completes between two polls never shows as down,
// yet it drops every client connection the member held (they reconnect to the others: the load
// shifts), replays the WAL and may need a snapshot from the leader. Several in a minute is a crash
// loop (OOM kills, a failing liveness probe, a panic at start): the member flaps in and out of the
// group and the leader keeps sending it snapshots.
import { formatDuration, formatNumber } from '../../../format';
import { healthEndpoints } from '../../etcd-versions';
import type { MemberState } from '../../../types';
import type { Candidate, Detector } from '../types';
import { logEvidence, result } from './common';

/** Restarts in the last minute from which a member is crash-looping. */
export const CRASH_LOOP_RESTARTS = 2;

/** Memory headroom and a liveness probe right for the member's etcd version. */
function livenessYaml(m: MemberState): string {
  const h = healthEndpoints(m.version);
  const path = h.livezReadyz ? '/livez' : h.healthSerializable ? '/health?serializable=true' : '/health';
  const why = h.livezReadyz
    ? 'etcd ≥ 3.5.11: the process is alive, no quorum needed'
    : h.healthSerializable
      ? 'etcd ≥ 3.5.3: local check, no quorum read'
      : `etcd ${m.version ?? '(version unknown)'}: /health needs quorum, so give it a long failureThreshold`;
  return [
    'resources:',
    '  requests: { memory: 8Gi }',
    '  limits:   { memory: 8Gi }    # above the working set; watch process_resident_memory_bytes',
    'livenessProbe:',
    `  httpGet: { path: ${path}, port: 2381 }   # ${why}`,
    '  failureThreshold: 8',
    '  timeoutSeconds: 15',
  ].join('\n');
}

const when = (unixS: number | null) => (unixS === null ? 'n/a' : new Date(unixS * 1000).toISOString());

export const memberRestarts: Detector = {
  kind: 'member-restarts',
  run(input) {
    const known = input.members.filter((m) => m.signals.restarts !== null);
    if (known.length === 0) return result('member-restarts', [], '', 'no process start times read yet');
    const candidates: Candidate[] = [];
    for (const m of known) {
      const n = m.signals.restarts ?? 0;
      if (n === 0) continue;
      const loop = n >= CRASH_LOOP_RESTARTS;
      const uptime = m.signals.startedAt === null ? null : Math.max(0, input.t / 1000 - m.signals.startedAt);
      const peers = input.members
        .filter((x) => x !== m && x.signals.startedAt !== null)
        .map((x) => `${x.name} ${formatDuration(Math.max(0, input.t / 1000 - (x.signals.startedAt ?? 0)))}`);
      candidates.push({
        kind: 'member-restarts',
        members: [m.endpoint],
        severity: loop ? (m.isLeader ? 'critical' : 'warning') : 'info',
        title: loop
          ? `${m.name} is crash-looping: ${formatNumber(n)} restarts in the last minute`
          : `${m.name} restarted ${uptime === null ? 'within the last minute' : `${formatDuration(uptime)} ago`}`,
        summary: loop
          ? `${m.name}'s etcd process started ${formatNumber(n)} times in a minute: each restart drops every client connection it held (they move to the others), replays its WAL and may need a snapshot from the leader. Find out what kills it before it takes quorum with it.`
          : `${m.name}'s etcd process started again: its clients reconnected to the other members, so its share stays low until they reconnect; a member that restarts between polls never shows as down.`,
        evidence: [
          {
            label: 'process restarts, last minute',
            value: formatNumber(n),
            threshold: `${CRASH_LOOP_RESTARTS} or more: a crash loop`,
            member: m.endpoint,
          },
          { label: 'process started at', value: when(m.signals.startedAt), member: m.endpoint },
          ...(uptime !== null
            ? [
                {
                  label: 'up for',
                  value: formatDuration(uptime),
                  threshold: peers.length ? `peers: ${peers.join(', ')}` : undefined,
                  member: m.endpoint,
                },
              ]
            : []),
          ...logEvidence(input, m, ['lost leader', 'elected leader', 'abnormal termination', 'server marked DOWN']),
        ],
        fixes: [
          {
            title: `Find out why ${m.name}'s etcd exits`,
            format: 'shell',
            body: [
              '# systemd: how often, and the last lines before each exit',
              'systemctl show etcd -p NRestarts -p ExecMainStatus -p Result',
              'journalctl -u etcd --since "-15 min" | grep -Ei "panic|fatal|exit|killed" | tail -20',
              '# the kernel OOM killer',
              'dmesg -T | grep -Ei "out of memory|oom-kill|killed process" | tail',
              '# Kubernetes: OOMKilled, or a liveness probe that kills a slow-but-alive member',
              'kubectl -n kube-system describe pod <etcd-pod> | grep -A5 -E "Last State|Liveness"',
            ].join('\n'),
            why: 'an OOM kill, a failing liveness probe or a panic each leave their own trace',
            risk: 'none (read-only)',
          },
          {
            title: 'Give it memory headroom and a liveness probe that does not kill a busy member',
            format: 'yaml',
            body: livenessYaml(m),
            why: 'a probe that needs quorum fails on a healthy member during an election and restarts it, making things worse',
            risk: 'a looser probe restarts a truly hung member later',
          },
        ],
        confidence: loop ? 0.9 : 0.7,
        raiseAfter: 1,
      });
    }
    return result('member-restarts', candidates, 'no member restarted in the last minute');
  },
};
