// quota-pressure: a backend db near its quota, or the NOSPACE alarm (writes refused cluster-wide).
import { formatBytes, formatPercent } from '../../../format';
import type { Candidate, Detector } from '../types';
import { quotaRecovery } from '../fixes';
import { logEvidence, result } from './common';

export const quotaPressure: Detector = {
  kind: 'quota-pressure',
  run(input) {
    const t = input.thresholds;
    const candidates: Candidate[] = [];
    const revision =
      input.members
        .map((m) => m.signals.revision)
        .filter((r): r is string => r !== null)
        .sort((a, b) => (BigInt(a) < BigInt(b) ? 1 : -1))[0] ?? null;
    for (const m of input.members) {
      const nospace = m.alarms.includes('NOSPACE');
      const ratio = m.quotaBackendBytes && m.dbSizeBytes !== null ? m.dbSizeBytes / m.quotaBackendBytes : null;
      if (!nospace && !(ratio !== null && ratio >= t.quotaWarnRatio)) continue;
      const suggested = Math.min(8 * 1024 ** 3, Math.max(2 * (m.dbSizeBytes ?? 0), 2 * (m.quotaBackendBytes ?? 0)));
      candidates.push({
        kind: 'quota-pressure',
        members: [m.endpoint],
        severity: nospace ? 'critical' : 'warning',
        title: nospace
          ? `NOSPACE alarm on ${m.name}: the cluster refuses writes`
          : `${m.name} db at ${formatPercent(ratio)} of its quota`,
        summary: nospace
          ? `${m.name} went past --quota-backend-bytes and raised NOSPACE: every member refuses writes until the space is reclaimed and the alarm disarmed.`
          : `${m.name}'s backend db is ${formatBytes(m.dbSizeBytes)} of a ${formatBytes(m.quotaBackendBytes)} quota; past it etcd raises NOSPACE and refuses writes cluster-wide.`,
        evidence: [
          { label: 'db size', value: formatBytes(m.dbSizeBytes), member: m.endpoint },
          { label: 'db in use', value: formatBytes(m.dbSizeInUseBytes), member: m.endpoint },
          { label: 'quota', value: formatBytes(m.quotaBackendBytes), member: m.endpoint },
          {
            label: 'db / quota',
            value: formatPercent(ratio),
            threshold: `warning at ${formatPercent(t.quotaWarnRatio)}`,
            member: m.endpoint,
          },
          { label: 'alarms', value: m.alarms.join(', ') || 'none', member: m.endpoint },
          ...logEvidence(input, m, ['database space exceeded']),
        ],
        fixes: [
          {
            title: 'Reclaim space and clear the alarm (safe order)',
            format: 'shell',
            body: quotaRecovery(input.members, revision),
            why: 'compaction drops old revisions, defragmentation returns the space to the file system, disarm lets writes through again',
            risk: 'defrag blocks the member it runs on (reads and writes) for its duration: one member at a time, the leader last',
          },
          {
            title: 'Then prevent it',
            format: 'etcd-flags',
            body: [
              `--quota-backend-bytes=${suggested}`,
              '--auto-compaction-mode=periodic',
              '--auto-compaction-retention=1h',
            ].join('\n'),
            why: `room above today's ${formatBytes(m.dbSizeBytes)} and automatic compaction so history does not grow without bound`,
            risk: 'a bigger db takes longer to snapshot and restore; etcd recommends at most 8 GiB',
          },
        ],
        confidence: nospace ? 0.99 : 0.8,
        raiseAfter: nospace ? 1 : undefined,
      });
    }
    return result(
      'quota-pressure',
      candidates,
      `every member below ${formatPercent(t.quotaWarnRatio)} of its quota, no NOSPACE alarm`,
    );
  },
};
