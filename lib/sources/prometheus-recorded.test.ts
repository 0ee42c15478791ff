import { describe, expect, it } from 'vitest';
import {
  fleetQuery,
  RECORDED_IDS,
  recordedName,
  recordedPresent,
  recordedPresentQuery,
  recordingRules,
} from './prometheus-recorded';

describe('the fleet recording rules', () => {
  it('record each rate and histogram per member, the load labels summed away, the window in the name', () => {
    const g = recordingRules('1m');
    expect(g.name).toBe('fulcrum-fleet');
    expect(g.rules.map((r) => r.record)).toEqual(RECORDED_IDS.map((id) => recordedName(id, '1m')));
    const req = g.rules.find((r) => r.record === 'fulcrum:etcd_grpc_requests:rate1m')!;
    expect(req.expr).toBe(
      'sum without (grpc_service, grpc_method, grpc_type, grpc_code, To) (rate(grpc_server_started_total{grpc_service=~"etcdserverpb.(KV|Watch|Lease)"}[1m]))',
    );
    // The histogram keeps `le` (it is not summed away): the p99 is taken from the recorded buckets.
    const lat = g.rules.find((r) => r.record.includes('unary_handling'))!;
    expect(lat.expr).toMatch(/^sum without \([^)]*\) \(rate\(grpc_server_handling_seconds_bucket\{grpc_type="unary"/);
    expect(lat.expr).not.toMatch(/without \([^)]*\ble\b/);
    expect(recordedName('cpu', '90s')).toBe('fulcrum:process_cpu_seconds:rate90s');
  });

  it('a fleet query reads the recorded series only for what Prometheus has', () => {
    const sel = 'cluster!="",job="etcd"';
    const by = 'cluster,instance';
    const have = new Set(['requests', 'latencyP99'] as const);
    expect(fleetQuery('requests', sel, by, '1m', have)).toBe(
      'sum by (cluster,instance) (fulcrum:etcd_grpc_requests:rate1m{cluster!="",job="etcd"})',
    );
    expect(fleetQuery('latencyP99', sel, by, '1m', have)).toBe(
      'histogram_quantile(0.99, sum by (cluster,instance, le) (fulcrum:etcd_grpc_unary_handling_seconds_bucket:rate1m{cluster!="",job="etcd"}))',
    );
    expect(fleetQuery('reads', sel, by, '1m', have)).toBe(
      'sum by (cluster,instance) (rate(grpc_server_started_total{cluster!="",job="etcd",grpc_service="etcdserverpb.KV",grpc_method="Range"}[1m]))',
    );
    expect(fleetQuery('walFsyncP99', sel, by, '1m', new Set())).toContain(
      'rate(etcd_disk_wal_fsync_duration_seconds_bucket{',
    );
  });

  it('finds which recorded series Prometheus has, for this window only', () => {
    const q = recordedPresentQuery('cluster!="",job="etcd"', '1m');
    expect(q).toMatch(/^group by \(__name__\) \(\{__name__=~"fulcrum:etcd_grpc_requests:rate1m\|/);
    expect(q).toContain(',cluster!="",job="etcd"})');
    const found = recordedPresent(
      ['fulcrum:etcd_grpc_requests:rate1m', 'fulcrum:process_cpu_seconds:rate30s', undefined, 'up'],
      '1m',
    );
    expect([...found]).toEqual(['requests']);
  });
});
