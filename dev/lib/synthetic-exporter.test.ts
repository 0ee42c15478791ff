import { describe, expect, it } from 'vitest';
import { parsePromText } from '../../lib/analysis/promtext';
import { dimensionQueries } from '../../lib/sources/prometheus-queries';
import { fileSdTargets, renderMemberMetrics, syntheticFleet } from './synthetic-exporter';

describe('synthetic fleet', () => {
  const spec = { clusters: 30, members: 5 };

  it('skews every fifth cluster, takes a member down in every seventh, shares sum to one', () => {
    const fleet = syntheticFleet(spec);
    expect(fleet).toHaveLength(30);
    expect(fleet.filter((c) => c.skewed).map((c) => c.index)).toEqual([2, 7, 12, 17, 22, 27]);
    expect(fleet.filter((c) => c.members.some((m) => m.down)).map((c) => c.index)).toEqual([3, 10, 17, 24]);
    for (const c of fleet) {
      const live = c.members.filter((m) => !m.down);
      expect(live.reduce((a, m) => a + m.share, 0)).toBeCloseTo(1, 9);
      expect(c.members.filter((m) => m.leader && !m.down)).toHaveLength(1);
    }
    expect(fleet[2].members[0].share).toBeCloseTo(0.7, 9);
    expect(fleet[5].members.map((m) => m.version)).toContain('3.4.23');
  });

  it('removes clusters and adds clusters with any name', () => {
    const fleet = syntheticFleet({ ...spec, removed: [0, 1], extraNames: ['bad name!'] });
    expect(fleet.map((c) => c.name)).not.toContain('syn-000');
    expect(fleet.at(-1)).toMatchObject({ name: 'bad name!', members: [{ share: 1, down: false }] });
  });

  it('exposes the metric families Fulcrum queries, with counters that only grow', () => {
    const c = syntheticFleet(spec)[2];
    const at = (dt: number) => parsePromText(renderMemberMetrics(c, 0, dt)).samples;
    const names = new Set(at(10).map((s) => s.name));
    const queried = Object.values(dimensionQueries('x="y"', 'instance', '1m')).flatMap(
      (q) => q.match(/[a-z_]+(?=\{)/g) ?? [],
    );
    for (const n of [
      ...queried,
      'etcd_server_is_leader',
      'etcd_server_has_leader',
      'etcd_server_leader_changes_seen_total',
      'etcd_server_version',
      'etcd_server_quota_backend_bytes',
      'etcd_disk_wal_fsync_duration_seconds_bucket',
    ])
      expect(names, n).toContain(n);
    const a = at(100);
    const b = at(101);
    a.forEach((s, k) => {
      if (s.name.endsWith('_total') || s.name.endsWith('_bucket') || s.name.endsWith('_count'))
        expect(b[k].value, `${s.name} ${JSON.stringify(s.labels)}`).toBeGreaterThanOrEqual(s.value);
    });
    const range = (t: number) =>
      at(t).find((s) => s.name === 'grpc_server_started_total' && s.labels.grpc_method === 'Range')!.value;
    // 70 % of the cluster's rate, Range is 60 % of it, ±5 %.
    expect(range(200) - range(100)).toBeGreaterThan(c.rate * 0.7 * 0.6 * 100 * 0.9);
    expect(range(200) - range(100)).toBeLessThan(c.rate * 0.7 * 0.6 * 100 * 1.1);
  });

  it('writes one file_sd target per member with its cluster and member labels', () => {
    const t = fileSdTargets({ clusters: 2, members: 3, clusterLabel: 'etcd_cluster', memberLabel: 'pod' }, 'h:1');
    expect(t).toHaveLength(6);
    expect(t[4]).toEqual({
      targets: ['h:1'],
      labels: {
        __metrics_path__: '/metrics/syn-001/1',
        env: 'stage',
        region: 'us-east',
        team: 'payments',
        etcd_cluster: 'syn-001',
        pod: 'etcd-2.syn-001:2379',
      },
    });
  });
});
