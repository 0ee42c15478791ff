import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractCounters, wantedMetric } from './counters';
import { parsePromText } from './promtext';

const fixture = readFileSync(path.join(__dirname, '../../test/fixtures/etcd-3.4.23-single-metrics.txt'), 'utf8');

describe('extractCounters on a real etcd 3.4 page', () => {
  const c = extractCounters(parsePromText(fixture, wantedMetric).samples);

  it('counts KV/Watch/Lease calls as load and leaves Fulcrum’s own Maintenance polls out', () => {
    // The fixture saw 50 Put + 50 Range from etcdctl, plus Status/Alarm/MemberList polls.
    expect(c.counters.requests).toBe(100);
    expect(c.counters.reads).toBe(50);
    expect(c.counters.writes).toBe(50);
  });

  it('reads gauges and histograms', () => {
    expect(c.gauges.quotaBackendBytes).toBe(2147483648);
    expect(c.gauges.isLeader).toBe(1);
    expect(c.gauges.dbTotalBytes).toBeGreaterThan(0);
    expect(c.histograms.grpcLatency?.buckets.at(-1)?.[0]).toBe(Infinity);
    expect(c.histograms.grpcLatency?.buckets.at(-1)?.[1]).toBe(100);
    expect(c.histograms.walFsync?.count).toBeGreaterThan(0);
  });
});

describe('extractCounters', () => {
  it('sums series and sorts histogram buckets', () => {
    const text = [
      'grpc_server_started_total{grpc_service="etcdserverpb.KV",grpc_method="Txn",grpc_type="unary"} 3',
      'grpc_server_started_total{grpc_service="etcdserverpb.Watch",grpc_method="Watch",grpc_type="bidi_stream"} 2',
      'grpc_server_started_total{grpc_service="etcdserverpb.Maintenance",grpc_method="Status",grpc_type="unary"} 99',
      'grpc_server_handled_total{grpc_service="etcdserverpb.KV",grpc_method="Txn",grpc_type="unary",grpc_code="Unavailable"} 1',
      'grpc_server_handled_total{grpc_service="etcdserverpb.KV",grpc_method="Txn",grpc_type="unary",grpc_code="OK"} 2',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="a",le="0.01"} 1',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="b",le="0.01"} 2',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="a",le="+Inf"} 2',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="b",le="+Inf"} 2',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="a",le="0.001"} 0',
    ].join('\n');
    const c = extractCounters(parsePromText(text).samples);
    expect(c.counters.requests).toBe(5);
    expect(c.counters.writes).toBe(3);
    expect(c.counters.reads).toBe(null);
    expect(c.counters.grpcErrors).toBe(1);
    expect(c.histograms.peerRtt?.buckets).toEqual([
      [0.001, 0],
      [0.01, 3],
      [Infinity, 4],
    ]);
    expect(c.gauges.watchStreams).toBeNull();
  });
});
