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

export function dimensionQueries(sel: string, by: string, w: string): Record<DimensionId, string> {
  const sumRate = (metric: string, extra = '') =>
    `sum by (${by}) (rate(${metric}{${sel}${extra ? `,${extra}` : ''}}[${w}]))`;
  return {
    requests: sumRate('grpc_server_started_total', LOAD),
    reads: sumRate('grpc_server_started_total', `grpc_service="etcdserverpb.KV",grpc_method="Range"`),
    writes: sumRate(
      'grpc_server_started_total',
      `grpc_service="etcdserverpb.KV",grpc_method=~"Put|DeleteRange|Txn|Compact"`,
    ),
    bytesIn: sumRate('etcd_network_client_grpc_received_bytes_total'),
    bytesOut: sumRate('etcd_network_client_grpc_sent_bytes_total'),
    watchStreams: `sum by (${by}) (etcd_debugging_mvcc_watch_stream_total{${sel}})`,
    dbSize: `sum by (${by}) (etcd_mvcc_db_total_size_in_bytes{${sel}})`,
    latencyP99: `histogram_quantile(0.99, sum by (${by}, le) (rate(grpc_server_handling_seconds_bucket{${sel},grpc_type="unary",grpc_service=~"etcdserverpb.(KV|Lease)"}[${w}])))`,
    cpu: sumRate('process_cpu_seconds_total'),
    peerBytesOut: sumRate('etcd_network_peer_sent_bytes_total'),
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
