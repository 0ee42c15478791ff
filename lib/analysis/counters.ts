// From one member's /metrics samples to the numbers Fulcrum tracks. Pure.
import type { PromSample } from './promtext';

export const COUNTER_IDS = [
  'requests',
  'reads',
  'writes',
  'bytesIn',
  'bytesOut',
  'peerBytesOut',
  'cpuSeconds',
  'leaderChanges',
  'heartbeatFailures',
  'peerSendFailures',
  'slowApplies',
  'proposalsFailed',
  'grpcErrors',
] as const;
export type CounterId = (typeof COUNTER_IDS)[number];

export const GAUGE_IDS = [
  'watchStreams',
  'watchers',
  'dbTotalBytes',
  'dbInUseBytes',
  'quotaBackendBytes',
  'hasLeader',
  'isLeader',
  'processStartTime',
  'proposalsPending',
] as const;
export type GaugeId = (typeof GAUGE_IDS)[number];

export const HISTOGRAM_IDS = ['grpcLatency', 'walFsync', 'backendCommit', 'peerRtt'] as const;
export type HistogramId = (typeof HISTOGRAM_IDS)[number];

/** A cumulative histogram: `buckets[i] = [upper bound, count of observations <= bound]`, sorted by bound. */
export interface Histogram {
  buckets: Array<[number, number]>;
  count: number;
  sum: number;
}

export interface MemberCounters {
  counters: Record<CounterId, number | null>;
  gauges: Record<GaugeId, number | null>;
  histograms: Record<HistogramId, Histogram | null>;
}

const LOAD_SERVICES = new Set(['etcdserverpb.KV', 'etcdserverpb.Watch', 'etcdserverpb.Lease']);
const WRITE_METHODS = new Set(['Put', 'DeleteRange', 'Txn', 'Compact']);
/** Unary calls whose handling time is client-visible latency (Watch is a stream, it has none). */
const LATENCY_SERVICES = new Set(['etcdserverpb.KV', 'etcdserverpb.Lease']);
/** gRPC codes that mean the server failed the call, not that the client asked for something odd. */
const SERVER_ERROR_CODES = new Set(['Unavailable', 'DeadlineExceeded', 'Internal', 'ResourceExhausted', 'Unknown']);

const COUNTER_METRICS: Record<string, CounterId> = {
  etcd_network_client_grpc_received_bytes_total: 'bytesIn',
  etcd_network_client_grpc_sent_bytes_total: 'bytesOut',
  etcd_network_peer_sent_bytes_total: 'peerBytesOut',
  process_cpu_seconds_total: 'cpuSeconds',
  etcd_server_leader_changes_seen_total: 'leaderChanges',
  etcd_server_heartbeat_send_failures_total: 'heartbeatFailures',
  etcd_network_peer_sent_failures_total: 'peerSendFailures',
  etcd_server_slow_apply_total: 'slowApplies',
  etcd_server_proposals_failed_total: 'proposalsFailed',
};

const GAUGE_METRICS: Record<string, GaugeId> = {
  etcd_debugging_mvcc_watch_stream_total: 'watchStreams',
  etcd_debugging_mvcc_watcher_total: 'watchers',
  etcd_mvcc_db_total_size_in_bytes: 'dbTotalBytes',
  etcd_mvcc_db_total_size_in_use_in_bytes: 'dbInUseBytes',
  etcd_server_quota_backend_bytes: 'quotaBackendBytes',
  etcd_server_has_leader: 'hasLeader',
  etcd_server_is_leader: 'isLeader',
  process_start_time_seconds: 'processStartTime',
  etcd_server_proposals_pending: 'proposalsPending',
};

const HISTOGRAM_METRICS: Record<string, HistogramId> = {
  grpc_server_handling_seconds: 'grpcLatency',
  etcd_disk_wal_fsync_duration_seconds: 'walFsync',
  etcd_disk_backend_commit_duration_seconds: 'backendCommit',
  etcd_network_peer_round_trip_time_seconds: 'peerRtt',
};

const WANTED = new Set<string>([
  'grpc_server_started_total',
  'grpc_server_handled_total',
  ...Object.keys(COUNTER_METRICS),
  ...Object.keys(GAUGE_METRICS),
  ...Object.keys(HISTOGRAM_METRICS).flatMap((m) => [`${m}_bucket`, `${m}_sum`, `${m}_count`]),
]);

/** The metric names `extractCounters` reads: pass to `parsePromText` to skip the rest. */
export function wantedMetric(name: string): boolean {
  return WANTED.has(name);
}

function histogramOf(name: string): { id: HistogramId; part: 'bucket' | 'sum' | 'count' } | null {
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (!m) return null;
  const id = HISTOGRAM_METRICS[m[1]];
  return id ? { id, part: m[2] as 'bucket' | 'sum' | 'count' } : null;
}

function histogramWanted(id: HistogramId, labels: Record<string, string>): boolean {
  if (id !== 'grpcLatency') return true; // peer RTT is summed over peers, disk over its one series
  return labels.grpc_type === 'unary' && LATENCY_SERVICES.has(labels.grpc_service);
}

export function emptyCounters(): MemberCounters {
  const counters = {} as Record<CounterId, number | null>;
  for (const id of COUNTER_IDS) counters[id] = null;
  const gauges = {} as Record<GaugeId, number | null>;
  for (const id of GAUGE_IDS) gauges[id] = null;
  const histograms = {} as Record<HistogramId, Histogram | null>;
  for (const id of HISTOGRAM_IDS) histograms[id] = null;
  return { counters, gauges, histograms };
}

function add(rec: Record<string, number | null>, key: string, v: number) {
  rec[key] = (rec[key] ?? 0) + v;
}

/** Sums every series of a family into one member-level value per counter, gauge and histogram. */
export function extractCounters(samples: PromSample[]): MemberCounters {
  const out = emptyCounters();
  const bucketMaps: Partial<Record<HistogramId, Map<number, number>>> = {};
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    if (s.name === 'grpc_server_started_total') {
      const svc = s.labels.grpc_service;
      if (!LOAD_SERVICES.has(svc)) continue;
      add(out.counters, 'requests', s.value);
      if (svc === 'etcdserverpb.KV') {
        if (s.labels.grpc_method === 'Range') add(out.counters, 'reads', s.value);
        else if (WRITE_METHODS.has(s.labels.grpc_method)) add(out.counters, 'writes', s.value);
      }
      continue;
    }
    if (s.name === 'grpc_server_handled_total') {
      if (LOAD_SERVICES.has(s.labels.grpc_service) && SERVER_ERROR_CODES.has(s.labels.grpc_code)) {
        add(out.counters, 'grpcErrors', s.value);
      } else if (out.counters.grpcErrors === null && LOAD_SERVICES.has(s.labels.grpc_service)) {
        out.counters.grpcErrors = 0;
      }
      continue;
    }
    const c = COUNTER_METRICS[s.name];
    if (c) {
      add(out.counters, c, s.value);
      continue;
    }
    const g = GAUGE_METRICS[s.name];
    if (g) {
      add(out.gauges, g, s.value);
      continue;
    }
    const h = histogramOf(s.name);
    if (!h || !histogramWanted(h.id, s.labels)) continue;
    const hist = (out.histograms[h.id] ??= { buckets: [], count: 0, sum: 0 });
    if (h.part === 'bucket') {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      if (Number.isNaN(le)) continue;
      const m = (bucketMaps[h.id] ??= new Map());
      m.set(le, (m.get(le) ?? 0) + s.value);
    } else if (h.part === 'sum') hist.sum += s.value;
    else hist.count += s.value;
  }
  for (const id of Object.keys(bucketMaps) as HistogramId[]) {
    const hist = out.histograms[id]!;
    hist.buckets = [...bucketMaps[id]!.entries()].sort((a, b) => a[0] - b[0]);
  }
  return out;
}
