import { describe, expect, it } from 'vitest';
import type { DiscoveryConfig } from '../config/load';
import { DIMENSION_IDS, type DimensionId } from '../types';
import type { PromSeries } from './prometheus';
import {
  discoveryQuery,
  FLEET_QUERIES_PER_REFRESH_TICK,
  FLEET_QUERIES_PER_TICK,
  fleetQueries,
  groupDiscovered,
  MAX_DISCOVERED_MEMBERS,
  parseFleet,
} from './prometheus-fleet';

const d: DiscoveryConfig = {
  clusterLabel: 'cluster',
  memberLabel: 'instance',
  selector: 'job="etcd"',
  refreshMs: 30_000,
  intervalMs: 5_000,
  labels: null,
  maxClusters: 100,
};
const s = (metric: Record<string, string>, v = 1): PromSeries => ({ metric, values: [[1, v]] });

describe('discovery', () => {
  it('queries etcd series and targets, grouped by the labels that matter', () => {
    expect(discoveryQuery(d)).toBe('etcd_server_has_leader{cluster!="",job="etcd"} or up{cluster!="",job="etcd"}');
    expect(discoveryQuery({ ...d, labels: ['env'], selector: '' })).toBe(
      'group by (cluster,instance,env) (etcd_server_has_leader{cluster!=""}) or group by (cluster,instance,env) (up{cluster!=""})',
    );
  });

  it('groups members by cluster, takes the labels they share, and leaves out (and counts) what fails', () => {
    const series = [
      s({ __name__: 'etcd_server_has_leader', cluster: 'b', instance: 'b1', env: 'prod', job: 'etcd', zone: 'z1' }),
      s({ __name__: 'up', cluster: 'b', instance: 'b2', env: 'prod', job: 'etcd', zone: 'z2' }),
      s({ __name__: 'up', cluster: 'b', instance: 'b1', env: 'prod', job: 'etcd', zone: 'z1' }),
      s({ cluster: 'a', instance: 'a1' }),
      s({ cluster: 'bad name!', instance: 'x' }),
      s({ cluster: 'x'.repeat(64), instance: 'x' }),
      s({ cluster: 'a', instance: 'evil\u0000member' }),
      s({ cluster: 'c', instance: 'c1', note: 'line\nbreak', long: 'v'.repeat(129) }),
      s({ cluster: 'configured', instance: 'm' }),
      s({ instance: 'no cluster label' }),
    ];
    const r = groupDiscovered(series, d, new Set(['configured']));
    expect(r.clusters).toEqual([
      { name: 'a', members: ['a1'], labels: {} },
      { name: 'b', members: ['b1', 'b2'], labels: { env: 'prod' } },
      { name: 'c', members: ['c1'], labels: {} },
    ]);
    expect(r.skipped).toMatchObject({ 'invalid-name': 2, 'invalid-member': 1, 'invalid-label': 2, configured: 1 });
  });

  it('bounds members per cluster and clusters in all', () => {
    const many = Array.from({ length: 20 }, (_, i) =>
      s({ cluster: 'big', instance: `m${String(i).padStart(2, '0')}` }),
    );
    const more = Array.from({ length: 5 }, (_, i) => s({ cluster: `c${i}`, instance: 'm' }));
    const r = groupDiscovered([...many, ...more], { ...d, maxClusters: 3 }, new Set());
    expect(r.clusters.map((c) => c.name)).toEqual(['big', 'c0', 'c1']);
    expect(r.clusters[0].members).toHaveLength(MAX_DISCOVERED_MEMBERS);
    expect(r.skipped['too-many-members']).toBe(5);
    expect(r.skipped['too-many-clusters']).toBe(3);
  });

  it('copies only the configured labels when a list is given', () => {
    const r = groupDiscovered(
      [s({ cluster: 'a', instance: 'a1', env: 'prod', team: 'x' }), s({ cluster: 'a', instance: 'a2', env: 'prod' })],
      { ...d, labels: ['env', 'team'] },
      new Set(),
    );
    expect(r.clusters[0].labels).toEqual({ env: 'prod' });
  });
});

describe('fleet tick queries', () => {
  it('sends one query per dimension and one for status, grouped by cluster and member', () => {
    const q = fleetQueries(d, '30s');
    expect(Object.keys(q.dims)).toEqual([...DIMENSION_IDS]);
    // One per dimension, status, one slow part.
    expect(Object.keys(q.dims).length + 2).toBe(FLEET_QUERIES_PER_TICK);
    expect(FLEET_QUERIES_PER_TICK).toBeLessThanOrEqual(13);
    expect(q.dims.requests).toBe(
      'sum by (cluster,instance) (rate(grpc_server_started_total{cluster!="",job="etcd",grpc_service=~"etcdserverpb.(KV|Watch|Lease)"}[30s]))',
    );
    for (const part of ['up', 'leader', 'hasLeader']) expect(q.status).toContain(`"fulcrum_q", "${part}"`);
    for (const part of ['quota', 'version', 'leaderChanges', 'walFsyncP99'])
      expect(q.slow).toContain(`"fulcrum_q", "${part}"`);
    const one = fleetQueries(d, '30s', new Set(), ['version']);
    expect(one.slow).toContain('"fulcrum_q", "version"');
    expect(one.slow).not.toContain('"fulcrum_q", "quota"');
    expect(FLEET_QUERIES_PER_REFRESH_TICK).toBeLessThanOrEqual(15);
  });

  it('reads members, leaders, versions and values; a member without series is down', () => {
    const dims = Object.fromEntries(DIMENSION_IDS.map((id) => [id, [] as PromSeries[]])) as Record<
      DimensionId,
      PromSeries[]
    >;
    dims.requests = [s({ cluster: 'a', instance: 'a1' }, 70), s({ cluster: 'a', instance: 'a2' }, 30)];
    dims.dbSize = [s({ cluster: 'a', instance: 'a1' }, 1e6)];
    const st = [
      s({ cluster: 'a', instance: 'a1', fulcrum_q: 'up' }, 1),
      s({ cluster: 'a', instance: 'a2', fulcrum_q: 'up' }, 1),
      s({ cluster: 'a', instance: 'a3', fulcrum_q: 'up' }, 0),
      s({ cluster: 'a', instance: 'a1', fulcrum_q: 'leader' }, 1),
      s({ cluster: 'a', instance: 'a2', fulcrum_q: 'leader' }, 0),
      s({ cluster: 'a', instance: 'a1', fulcrum_q: 'version', server_version: '3.5.17' }),
      s({ cluster: 'a', instance: 'a2', fulcrum_q: 'version', server_version: '<script>' }),
      s({ cluster: 'a', instance: 'a1', fulcrum_q: 'leaderChanges' }, 2.4),
      s({ cluster: 'a', instance: 'a1', fulcrum_q: 'quota' }, 2e9),
      s({ cluster: 'zz', instance: 'unknown', fulcrum_q: 'up' }, 1),
      // Labels inside the metrics: no `up` with the cluster label, the etcd series say it is up.
      s({ cluster: 'b', instance: 'b1', fulcrum_q: 'hasLeader' }, 1),
    ];
    const r = parseFleet(dims, st, d, [
      { name: 'a', members: ['a1', 'a2', 'a3'] },
      { name: 'b', members: ['b1', 'b2'] },
    ]);
    expect([...r.keys()]).toEqual(['a', 'b']);
    const a = r.get('a')!;
    expect(a.get('a1')).toMatchObject({
      view: { up: true, isLeader: true, version: '3.5.17', dbSizeBytes: 1e6, quotaBackendBytes: 2e9 },
      values: { requests: 70, reads: null },
      signals: { leaderChanges: 2 },
    });
    expect(a.get('a2')!.view).toMatchObject({ up: true, isLeader: false, version: null });
    expect(a.get('a3')!.view.up).toBe(false);
    expect(r.get('b')!.get('b1')!.view).toMatchObject({ up: true, hasLeader: true });
    expect(r.get('b')!.get('b2')!.view.up).toBe(false);
  });
});
