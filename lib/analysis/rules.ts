// Prometheus alerting rules equivalent to Fulcrum's detectors: on etcd's own metrics (so they
// work without Fulcrum) and on fulcrum_* metrics. Pure: config in, rule groups out.
import type { ClusterConfig } from '../config/load';
import { clusterSelector } from '../sources/prometheus-queries';

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

const LOAD = 'grpc_service=~"etcdserverpb.(KV|Watch|Lease)"';

function rule(
  alert: string,
  expr: string,
  forDur: string,
  severity: string,
  cluster: string,
  summary: string,
  description: string,
): AlertRule {
  return { alert, expr, for: forDur, labels: { severity, cluster }, annotations: { summary, description } };
}

/** Rules on etcd's own metrics for one cluster (its Prometheus selector and instances). */
export function etcdRules(c: Pick<ClusterConfig, 'name' | 'endpoints' | 'prometheus' | 'thresholds'>): RuleGroup {
  const sel = clusterSelector(c);
  const by = c.prometheus.instanceLabel;
  const t = c.thresholds;
  const n = c.name;
  const latency = `histogram_quantile(0.99, sum by (${by}, le) (rate(grpc_server_handling_seconds_bucket{${sel},grpc_type="unary",grpc_service=~"etcdserverpb.(KV|Lease)"}[5m])))`;
  return {
    name: `fulcrum-etcd-${n}`,
    rules: [
      rule(
        'EtcdMemberDown',
        `up{${sel}} == 0`,
        '1m',
        'critical',
        n,
        `etcd member {{ $labels.${by} }} is down`,
        'Prometheus cannot scrape the member (member-down).',
      ),
      rule(
        'EtcdNoLeader',
        `etcd_server_has_leader{${sel}} == 0`,
        '1m',
        'critical',
        n,
        `etcd member {{ $labels.${by} }} has no leader`,
        'The member sees no raft leader.',
      ),
      rule(
        'EtcdHighLatency',
        `${latency} > ${t.alertLatencySeconds}`,
        '5m',
        'warning',
        n,
        `etcd member {{ $labels.${by} }} p99 latency above ${t.alertLatencySeconds} s`,
        'p99 of unary KV/Lease gRPC handling time (slow-member).',
      ),
      rule(
        'EtcdFrequentLeaderChanges',
        `max(increase(etcd_server_leader_changes_seen_total{${sel}}[5m])) / 5 > ${t.leaderChangesPerMinute}`,
        '5m',
        'warning',
        n,
        `more than ${t.leaderChangesPerMinute} leader change(s) per minute`,
        'Leadership keeps moving (leader-churn): check WAL fsync, peer RTT and heartbeat failures.',
      ),
      rule(
        'EtcdSlowWalFsync',
        `histogram_quantile(0.99, sum by (${by}, le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket{${sel}}[5m]))) > ${t.walFsyncP99Seconds}`,
        '10m',
        'warning',
        n,
        `WAL fsync p99 above ${t.walFsyncP99Seconds} s on {{ $labels.${by} }}`,
        'Slow disk (slow-disk).',
      ),
      rule(
        'EtcdSlowBackendCommit',
        `histogram_quantile(0.99, sum by (${by}, le) (rate(etcd_disk_backend_commit_duration_seconds_bucket{${sel}}[5m]))) > ${t.backendCommitP99Seconds}`,
        '10m',
        'warning',
        n,
        `backend commit p99 above ${t.backendCommitP99Seconds} s on {{ $labels.${by} }}`,
        'Slow disk (slow-disk).',
      ),
      rule(
        'EtcdDbNearQuota',
        `etcd_mvcc_db_total_size_in_bytes{${sel}} / etcd_server_quota_backend_bytes{${sel}} > ${t.quotaWarnRatio}`,
        '5m',
        'warning',
        n,
        `etcd db on {{ $labels.${by} }} above ${Math.round(t.quotaWarnRatio * 100)} % of its quota`,
        'Past the quota etcd raises NOSPACE and refuses writes (quota-pressure).',
      ),
      rule(
        'EtcdPeerRttHigh',
        `histogram_quantile(0.99, sum by (${by}, le) (rate(etcd_network_peer_round_trip_time_seconds_bucket{${sel}}[5m]))) > ${t.peerRttP99Seconds}`,
        '10m',
        'warning',
        n,
        `peer round-trip p99 above ${t.peerRttP99Seconds} s on {{ $labels.${by} }}`,
        'Slow network between members (peer-network).',
      ),
      rule(
        'EtcdPeerSendFailures',
        `sum by (${by}) (increase(etcd_network_peer_sent_failures_total{${sel}}[5m])) > 0`,
        '5m',
        'warning',
        n,
        `failed peer sends on {{ $labels.${by} }}`,
        'Raft messages to peers are failing (peer-network).',
      ),
      rule(
        'EtcdRequestShareSkew',
        `max(sum by (${by}) (rate(grpc_server_started_total{${sel},${LOAD}}[5m])) / ignoring(${by}) group_left sum(rate(grpc_server_started_total{${sel},${LOAD}}[5m]))) > ${(1 / Math.max(1, c.endpoints.length)) * 1.5}`,
        '10m',
        'warning',
        n,
        'one member serves over 1.5× an equal share of requests',
        'Request skew on etcd metrics alone (equal shares expected; use FulcrumImbalance for weighted groups).',
      ),
      rule(
        'EtcdVersionSkew',
        `count(count by (server_version) (etcd_server_version{${sel}})) > 1`,
        '30m',
        'warning',
        n,
        'members run different etcd versions',
        'Finish the rolling upgrade (version-skew).',
      ),
    ],
  };
}

/** Rules on Fulcrum's own metrics (all clusters). */
export function fulcrumRules(skewScore: number, skewCritical: number): RuleGroup {
  const r = (
    alert: string,
    expr: string,
    f: string,
    severity: string,
    summary: string,
    description: string,
  ): AlertRule => ({
    alert,
    expr,
    for: f,
    labels: { severity },
    annotations: { summary, description },
  });
  return {
    name: 'fulcrum',
    rules: [
      r(
        'FulcrumRequestImbalance',
        `fulcrum_imbalance_score{dimension="requests"} >= ${skewScore}`,
        '5m',
        'warning',
        'requests badly spread in {{ $labels.cluster }} (score {{ $value | printf "%.2f" }})',
        'Imbalance against the expected shares (request-skew); see the cluster page for causes and fixes.',
      ),
      r(
        'FulcrumRequestImbalanceCritical',
        `fulcrum_imbalance_score{dimension="requests"} >= ${skewCritical}`,
        '2m',
        'critical',
        'requests concentrated on one member in {{ $labels.cluster }}',
        `Score at or above ${skewCritical}.`,
      ),
      r(
        'FulcrumCriticalFinding',
        'fulcrum_findings{severity="critical"} > 0',
        '1m',
        'critical',
        '{{ $labels.kind }} in {{ $labels.cluster }}',
        'Fulcrum raised a critical finding; its evidence and fixes are on the cluster page.',
      ),
      r(
        'FulcrumMemberDown',
        'fulcrum_member_up == 0',
        '1m',
        'critical',
        '{{ $labels.member }} down in {{ $labels.cluster }}',
        'Fulcrum cannot reach the member (member-down).',
      ),
      r(
        'FulcrumSourceErrors',
        'sum by (cluster, source) (rate(fulcrum_source_errors_total[5m])) > 0.5',
        '10m',
        'warning',
        'Fulcrum cannot read {{ $labels.source }} for {{ $labels.cluster }}',
        'Diagnosis is degraded while a source fails.',
      ),
    ],
  };
}

export function alertRules(clusters: Array<Pick<ClusterConfig, 'name' | 'endpoints' | 'prometheus' | 'thresholds'>>): {
  groups: RuleGroup[];
} {
  const t = clusters[0]?.thresholds;
  return { groups: [...clusters.map(etcdRules), fulcrumRules(t?.skewScore ?? 0.2, t?.skewScoreCritical ?? 0.5)] };
}
