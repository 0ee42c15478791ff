// The PromQL behind each dimension: the same numbers Fulcrum computes from /metrics itself.
import type { MemberMatrix } from '../analysis/frames';
import type { PromMemberView } from '../analysis/member';
import type { ClusterConfig } from '../config/load';
import type { DimensionId } from '../types';
import { promString, regexEscape, type PrometheusSource, type PromSeries } from './prometheus';

/** Label matchers selecting this cluster's members (configured selector + instance regex). */
export function clusterSelector(cluster: Pick<ClusterConfig, 'endpoints' | 'prometheus'>, only?: string[]): string {
  const instances = (only ?? cluster.endpoints.map((e) => e.instance)).map(regexEscape).join('|');
  const parts = [`${cluster.prometheus.instanceLabel}=~${promString(instances)}`];
  if (cluster.prometheus.selector.trim()) parts.push(cluster.prometheus.selector.trim().replace(/,\s*$/, ''));
  return parts.join(',');
}

const LOAD = `grpc_service=~"etcdserverpb.(KV|Watch|Lease)"`;

/** The counters behind each rate dimension: a metric and the matchers that pick the load in it. */
export const RATED = {
  requests: { metric: 'grpc_server_started_total', matchers: LOAD },
  reads: { metric: 'grpc_server_started_total', matchers: 'grpc_service="etcdserverpb.KV",grpc_method="Range"' },
  writes: {
    metric: 'grpc_server_started_total',
    matchers: 'grpc_service="etcdserverpb.KV",grpc_method=~"Put|DeleteRange|Txn|Compact"',
  },
  bytesIn: { metric: 'etcd_network_client_grpc_received_bytes_total', matchers: '' },
  bytesOut: { metric: 'etcd_network_client_grpc_sent_bytes_total', matchers: '' },
  cpu: { metric: 'process_cpu_seconds_total', matchers: '' },
  peerBytesOut: { metric: 'etcd_network_peer_sent_bytes_total', matchers: '' },
} as const satisfies Partial<Record<DimensionId, { metric: string; matchers: string }>>;

/** The histograms behind a p99: latency as etcd times it (unary KV and Lease calls), and WAL fsync. */
export const HISTOGRAMS = {
  latencyP99: {
    metric: 'grpc_server_handling_seconds_bucket',
    matchers: 'grpc_type="unary",grpc_service=~"etcdserverpb.(KV|Lease)"',
  },
  walFsyncP99: { metric: 'etcd_disk_wal_fsync_duration_seconds_bucket', matchers: '' },
} as const;

export type RatedId = keyof typeof RATED;
export type HistogramId = keyof typeof HISTOGRAMS;

const selectorOf = (...parts: string[]) => parts.filter(Boolean).join(',');

/** `rate()` of a counter dimension per member, from the raw series. */
export function rateQuery(id: RatedId, sel: string, by: string, w: string): string {
  const r = RATED[id];
  return `sum by (${by}) (rate(${r.metric}{${selectorOf(sel, r.matchers)}}[${w}]))`;
}

/** The p99 of a histogram per member, from the raw buckets. */
export function p99Query(id: HistogramId, sel: string, by: string, w: string): string {
  const h = HISTOGRAMS[id];
  return `histogram_quantile(0.99, sum by (${by}, le) (rate(${h.metric}{${selectorOf(sel, h.matchers)}}[${w}])))`;
}

export function dimensionQueries(sel: string, by: string, w: string): Record<DimensionId, string> {
  return {
    requests: rateQuery('requests', sel, by, w),
    reads: rateQuery('reads', sel, by, w),
    writes: rateQuery('writes', sel, by, w),
    bytesIn: rateQuery('bytesIn', sel, by, w),
    bytesOut: rateQuery('bytesOut', sel, by, w),
    watchStreams: `sum by (${by}) (etcd_debugging_mvcc_watch_stream_total{${sel}})`,
    dbSize: `sum by (${by}) (etcd_mvcc_db_total_size_in_bytes{${sel}})`,
    latencyP99: p99Query('latencyP99', sel, by, w),
    cpu: rateQuery('cpu', sel, by, w),
    peerBytesOut: rateQuery('peerBytesOut', sel, by, w),
  };
}

export function statusQueries(sel: string, by: string): { up: string; isLeader: string; hasLeader: string } {
  return {
    up: `max by (${by}) (up{${sel}})`,
    isLeader: `max by (${by}) (etcd_server_is_leader{${sel}})`,
    hasLeader: `max by (${by}) (etcd_server_has_leader{${sel}})`,
  };
}

/** Maps series to endpoint indexes by the instance label. */
export function seriesByMember(series: PromSeries[], instances: string[], label: string): Map<number, PromSeries> {
  const out = new Map<number, PromSeries>();
  for (const s of series) {
    const i = instances.indexOf(s.metric[label] ?? '');
    if (i >= 0) out.set(i, s);
  }
  return out;
}

export type QueryRunner = Pick<PrometheusSource, 'query' | 'queryRange'>;

function toMaps(series: Map<number, PromSeries>, n: number): Array<Map<number, number>> {
  return Array.from(
    { length: n },
    (_, i) => new Map((series.get(i)?.values ?? []).map(([t, v]) => [Math.round(t * 1000) / 1000, v])),
  );
}

/**
 * Range history for a cluster: every dimension plus up/leader, per member, at `stepS`.
 * Rejects when Prometheus fails; a missing series just leaves gaps.
 */
export async function fetchClusterRange(
  prom: QueryRunner,
  cluster: Pick<ClusterConfig, 'endpoints' | 'prometheus'>,
  fromMs: number,
  toMs: number,
  stepS: number,
  rateWindow: string,
  /** Deadline of each range query (default: the source's). */
  timeoutMs?: number,
): Promise<{ timestamps: number[]; matrix: MemberMatrix }> {
  const sel = clusterSelector(cluster);
  const label = cluster.prometheus.instanceLabel;
  const instances = cluster.endpoints.map((e) => e.instance);
  const n = instances.length;
  const dq = dimensionQueries(sel, label, rateWindow);
  const sq = statusQueries(sel, label);
  const ids = Object.keys(dq) as DimensionId[];
  const [dimResults, up, isLeader] = await Promise.all([
    Promise.all(ids.map((id) => prom.queryRange(dq[id], fromMs, toMs, stepS, timeoutMs))),
    prom.queryRange(sq.up, fromMs, toMs, stepS, timeoutMs),
    prom.queryRange(sq.isLeader, fromMs, toMs, stepS, timeoutMs),
  ]);
  const values = {} as MemberMatrix['values'];
  ids.forEach((id, k) => {
    values[id] = toMaps(seriesByMember(dimResults[k], instances, label), n);
  });
  const upMaps = toMaps(seriesByMember(up, instances, label), n);
  const ts = new Set<number>();
  for (const m of upMaps) for (const t of m.keys()) ts.add(t);
  return {
    timestamps: [...ts].sort((a, b) => a - b),
    matrix: { values, up: upMaps, isLeader: toMaps(seriesByMember(isLeader, instances, label), n) },
  };
}

/** Current values for some members (by index) from Prometheus: the fallback for members Fulcrum can't reach. */
export async function fetchMembersNow(
  prom: QueryRunner,
  cluster: Pick<ClusterConfig, 'endpoints' | 'prometheus'>,
  indexes: number[],
  rateWindow: string,
): Promise<Map<number, { view: PromMemberView; values: Record<DimensionId, number | null> }>> {
  const label = cluster.prometheus.instanceLabel;
  const instances = cluster.endpoints.map((e) => e.instance);
  const sel = clusterSelector(
    cluster,
    indexes.map((i) => instances[i]),
  );
  const dq = dimensionQueries(sel, label, rateWindow);
  const sq = statusQueries(sel, label);
  const ids = Object.keys(dq) as DimensionId[];
  const [dimResults, up, isLeader, hasLeader] = await Promise.all([
    Promise.all(ids.map((id) => prom.query(dq[id]))),
    prom.query(sq.up),
    prom.query(sq.isLeader),
    prom.query(sq.hasLeader),
  ]);
  const first = (series: PromSeries[], i: number): number | null => {
    const v = seriesByMember(series, instances, label).get(i)?.values[0]?.[1];
    return v === undefined || !Number.isFinite(v) ? null : v;
  };
  const out = new Map<number, { view: PromMemberView; values: Record<DimensionId, number | null> }>();
  for (const i of indexes) {
    const upV = first(up, i);
    const values = {} as Record<DimensionId, number | null>;
    ids.forEach((id, k) => {
      values[id] = upV ? first(dimResults[k], i) : null;
    });
    const il = first(isLeader, i);
    const hl = first(hasLeader, i);
    out.set(i, {
      view: {
        up: upV === 1,
        isLeader: il === null ? null : il > 0,
        hasLeader: hl === null ? null : hl > 0,
        version: null,
        dbSizeBytes: values.dbSize,
      },
      values,
    });
  }
  return out;
}
