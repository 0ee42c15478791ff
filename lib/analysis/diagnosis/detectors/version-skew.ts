// version-skew: mixed etcd versions, or an older release line.
import type { Detector } from '../types';
import { compareEtcdVersions as compareVersions } from '../../etcd-versions';
import { sq } from '../fixes';
import { result } from './common';

export const versionSkew: Detector = {
  kind: 'version-skew',
  run(input) {
    const versions = input.members.filter((m) => m.version).map((m) => ({ m, v: m.version! }));
    if (versions.length === 0) return result('version-skew', [], '', 'no member version known yet');
    const distinct = [...new Set(versions.map((x) => x.v))].sort(compareVersions);
    const old = versions.filter((x) => compareVersions(x.v, '3.5.0') < 0);
    const mixed = distinct.length > 1;
    if (!mixed && old.length === 0) return result('version-skew', [], `all members on ${distinct[0]}`);
    const newest = distinct[distinct.length - 1];
    const members = mixed
      ? versions.filter((x) => x.v !== newest).map((x) => x.m.endpoint)
      : old.map((x) => x.m.endpoint);
    const target = compareVersions(newest, '3.5.0') < 0 ? '3.5.x' : newest;
    return result(
      'version-skew',
      [
        {
          kind: 'version-skew',
          members,
          severity: mixed ? 'warning' : 'info',
          title: mixed
            ? `Members run different etcd versions (${distinct.join(', ')})`
            : `etcd ${distinct.join(', ')}: an older release line`,
          summary: mixed
            ? 'Mixed versions run at the lowest version’s cluster protocol; finish the rolling upgrade.'
            : 'etcd 3.4 has known client balancer and connection-leak issues fixed in 3.5; plan the upgrade.',
          evidence: versions.map((x) => ({ label: `${x.m.name} version`, value: x.v, member: x.m.endpoint })),
          fixes: [
            {
              title: `Rolling upgrade to ${target}, one member at a time`,
              format: 'shell',
              body: [
                `etcdctl --endpoints=${sq(input.members[0]?.endpoint ?? '')} snapshot save backup-$(date +%F).db   # first`,
                ...[...input.members.filter((m) => !m.isLeader), ...input.members.filter((m) => m.isLeader)].map(
                  (m) =>
                    `# ${m.name}${m.isLeader ? ' (leader, last)' : ''}: stop, replace the binary with ${target}, start; then:\netcdctl --endpoints=${sq(m.endpoint)} endpoint health`,
                ),
              ].join('\n'),
              why: 'upgrading one member at a time keeps quorum; 3.4 → 3.5 is supported as a rolling upgrade from the latest 3.4 patch',
              risk: 'never skip a minor version; keep the snapshot until every member runs the new version',
            },
          ],
          confidence: 0.9,
        },
      ],
      '',
    );
  },
};
