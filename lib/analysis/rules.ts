// Prometheus alerting rules equivalent to Fulcrum's detectors, on the metrics etcd, HAProxy
// (its built-in exporter) and NGINX Plus (nginx-prometheus-exporter) publish, so they fire
// without Fulcrum; plus rules on fulcrum_* metrics. Detectors PromQL can't express are listed
// with the reason. Every rule carries the detector it stands for (label `detector`). Pure:
// config in, rules out.
import { stringify } from 'yaml';
import type { ClusterConfig, FulcrumConfig } from '../config/load';
import { clusterSelector } from '../sources/prometheus-queries';
import { recordingRules } from '../sources/prometheus-recorded';
import { FINDING_KINDS, type FindingKind } from './diagnosis/types';

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

export interface NotExpressible {
  detector: FindingKind;
  why: string;
}

type RulesCluster = Pick<ClusterConfig, 'name' | 'endpoints' | 'prometheus' | 'thresholds' | 'weighted'> & {
  balancer?: ClusterConfig['balancer'];
};

const LOAD = 'grpc_service=~"etcdserverpb.(KV|Watch|Lease)"';
/** Below this many requests/s the shares are noise (the detectors withhold the score too). */
const NOISE_FLOOR_RPS = 1;

const q = (s: string) => JSON.stringify(s);

function rule(
  alert: string,
  detector: FindingKind,
  severity: 'info' | 'warning' | 'critical',
  cluster: string,
  expr: string,
  forDur: string,
  summary: string,
  description: string,
): AlertRule {
  return {
    alert,
    expr,
    for: forDur,
    labels: { severity, cluster, detector },
    annotations: { summary, description },
  };
}

/** Expected request share per instance: configured weights, else equal. */
function expectedShares(c: RulesCluster): Array<{ instance: string; share: number }> {
  const weights = c.endpoints.map((e) => (c.weighted ? e.weight : 1));
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  return c.endpoints.map((e, i) => ({ instance: e.instance, share: weights[i] / total }));
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** Rules on etcd's own metrics for one cluster (its Prometheus selector and instances). */
export function etcdRules(c: RulesCluster): RuleGroup {
  const sel = clusterSelector(c);
  const by = c.prometheus.instanceLabel;
  const t = c.thresholds;
  const n = c.name;
  const quantile = (metric: string, extra = '') =>
    `histogram_quantile(0.99, sum by (${by}, le) (rate(${metric}{${sel}${extra}}[5m])))`;
  const latency = quantile(
    'grpc_server_handling_seconds_bucket',
    ',grpc_type="unary",grpc_service=~"etcdserverpb.(KV|Lease)"',
  );
  const total = `sum(rate(grpc_server_started_total{${sel},${LOAD}}[5m]))`;
  /** One member's share of the cluster's requests (a vector with its instance label). */
  const shareOf = (instance: string) =>
    `(sum by (${by}) (rate(grpc_server_started_total{${sel},${by}=${q(instance)},${LOAD}}[5m])) / ignoring(${by}) group_left ${total})`;
  const enoughLoad = `on() (${total} > ${NOISE_FLOOR_RPS})`;
  // the detector's score (s − e) / (1 − e) ≥ threshold  ⇔  s ≥ e + threshold × (1 − e), per member
  const skewAbove = (threshold: number) =>
    expectedShares(c)
      .map((e) => `(${shareOf(e.instance)} > ${round(e.share + threshold * (1 - e.share))})`)
      .join(' or ');
  const basis = c.weighted ? 'the configured weights' : 'equal shares';
  // capacity-mismatch: the member gets about what its weight promises, yet its p99 is far above its peers'
  const onShare = expectedShares(c)
    .map((e) => `(abs(${shareOf(e.instance)} - ${round(e.share)}) < ${t.pinningShareExcess})`)
    .join(' or ');
  return {
    name: `fulcrum-etcd-${n}`,
    rules: [
      rule(
        'EtcdMemberDown',
        'member-down',
        'critical',
        n,
        `up{${sel}} == 0`,
        '1m',
        `etcd member {{ $labels.${by} }} is down`,
        'Prometheus cannot scrape the member.',
      ),
      rule(
        'EtcdCrashLooping',
        'member-restarts',
        'warning',
        n,
        // the detector's crash loop: the process started again twice or more within a minute
        // (needs a scrape interval well under 30 s to see both)
        `changes(process_start_time_seconds{${sel}}[1m]) >= 2`,
        '0s',
        `etcd member {{ $labels.${by} }} is crash-looping`,
        'Its process keeps starting again: every restart drops its clients and replays its WAL. Look for OOM kills, a liveness probe or a panic.',
      ),
      rule(
        'EtcdNoLeader',
        'leader-churn',
        'critical',
        n,
        `etcd_server_has_leader{${sel}} == 0`,
        '1m',
        `etcd member {{ $labels.${by} }} has no leader`,
        'The member sees no raft leader: elections are failing or it is cut off.',
      ),
      rule(
        'EtcdFrequentLeaderChanges',
        'leader-churn',
        'warning',
        n,
        // the detector's window: changes seen in the last minute (needs a scrape interval ≤ 30 s)
        `max(increase(etcd_server_leader_changes_seen_total{${sel}}[1m])) > ${t.leaderChangesPerMinute}`,
        '0s',
        `more than ${t.leaderChangesPerMinute} leader change(s) in the last minute`,
        'Leadership keeps moving: check WAL fsync, peer RTT and heartbeat failures.',
      ),
      rule(
        'EtcdHighLatency',
        'slow-member',
        'warning',
        n,
        `${latency} > ${t.alertLatencySeconds}`,
        '5m',
        `etcd member {{ $labels.${by} }} p99 latency above ${t.alertLatencySeconds} s`,
        'p99 of unary KV/Lease gRPC handling time.',
      ),
      rule(
        'EtcdSlowMember',
        'slow-member',
        'warning',
        n,
        `(${latency} > ${t.slowMemberRatio} * scalar(quantile(0.5, ${latency}))) and ${latency} > ${t.slowMemberFloorSeconds}`,
        '5m',
        `etcd member {{ $labels.${by} }} is ${t.slowMemberRatio}× slower than its peers`,
        `p99 of unary KV/Lease calls at least ${t.slowMemberRatio}× the members' median and above ${t.slowMemberFloorSeconds} s.`,
      ),
      rule(
        'EtcdCapacityMismatch',
        'capacity-mismatch',
        'warning',
        n,
        `((${latency} > ${t.capacityLatencyRatio} * scalar(quantile(0.5, ${latency}))) and ${latency} > ${t.slowMemberFloorSeconds}) and on(${by}) (${onShare})`,
        '10m',
        `{{ $labels.${by} }} gets its share of requests but can't keep up`,
        `Its request share follows ${basis}, yet its p99 is ${t.capacityLatencyRatio}× the median: give it a smaller weight or more capacity.`,
      ),
      rule(
        'EtcdSlowWalFsync',
        'slow-disk',
        'warning',
        n,
        `${quantile('etcd_disk_wal_fsync_duration_seconds_bucket')} > ${t.walFsyncP99Seconds}`,
        '10m',
        `WAL fsync p99 above ${t.walFsyncP99Seconds} s on {{ $labels.${by} }}`,
        'Slow disk: followers miss heartbeats, leaders lose leadership.',
      ),
      rule(
        'EtcdSlowBackendCommit',
        'slow-disk',
        'warning',
        n,
        `${quantile('etcd_disk_backend_commit_duration_seconds_bucket')} > ${t.backendCommitP99Seconds}`,
        '10m',
        `backend commit p99 above ${t.backendCommitP99Seconds} s on {{ $labels.${by} }}`,
        'Slow disk.',
      ),
      rule(
        'EtcdDbNearQuota',
        'quota-pressure',
        'warning',
        n,
        `etcd_mvcc_db_total_size_in_bytes{${sel}} / etcd_server_quota_backend_bytes{${sel}} > ${t.quotaWarnRatio}`,
        '5m',
        `etcd db on {{ $labels.${by} }} above ${Math.round(t.quotaWarnRatio * 100)} % of its quota`,
        'Past the quota etcd raises NOSPACE and refuses writes: compact and defragment.',
      ),
      rule(
        'EtcdDbQuotaExceeded',
        'quota-pressure',
        'critical',
        n,
        `etcd_mvcc_db_total_size_in_bytes{${sel}} >= etcd_server_quota_backend_bytes{${sel}}`,
        '0s',
        `etcd db on {{ $labels.${by} }} has reached its quota (NOSPACE)`,
        'Writes fail cluster-wide until the alarm is disarmed after compaction and defragmentation.',
      ),
      rule(
        'EtcdRaftLag',
        'raft-lag',
        'warning',
        n,
        `scalar(max(etcd_server_proposals_committed_total{${sel}})) - etcd_server_proposals_applied_total{${sel}} > ${t.raftLagEntries}`,
        '1m',
        `{{ $labels.${by} }} applies more than ${t.raftLagEntries} entries behind the leader`,
        'The member falls behind: slow disk or CPU, or it is recovering from a snapshot.',
      ),
      rule(
        'EtcdPeerRttHigh',
        'peer-network',
        'warning',
        n,
        `${quantile('etcd_network_peer_round_trip_time_seconds_bucket')} > ${t.peerRttP99Seconds}`,
        '10m',
        `peer round-trip p99 above ${t.peerRttP99Seconds} s on {{ $labels.${by} }}`,
        'Slow network between members.',
      ),
      rule(
        'EtcdPeerSendFailures',
        'peer-network',
        'warning',
        n,
        `sum by (${by}) (increase(etcd_network_peer_sent_failures_total{${sel}}[5m])) > 0`,
        '5m',
        `failed peer sends on {{ $labels.${by} }}`,
        'Raft messages to peers are failing.',
      ),
      rule(
        'EtcdRequestSkew',
        'request-skew',
        'warning',
        n,
        `(${skewAbove(t.skewScore)}) and ${enoughLoad}`,
        '5m',
        `{{ $labels.${by} }} serves more requests than ${basis} give it`,
        `Request share far above its expected share (imbalance score ≥ ${t.skewScore} against ${basis}).`,
      ),
      rule(
        'EtcdRequestSkewCritical',
        'request-skew',
        'critical',
        n,
        `(${skewAbove(t.skewScoreCritical)}) and ${enoughLoad}`,
        '2m',
        `requests concentrate on {{ $labels.${by} }}`,
        `Imbalance score ≥ ${t.skewScoreCritical} against ${basis}.`,
      ),
      rule(
        'EtcdVersionSkew',
        'version-skew',
        'warning',
        n,
        `count(count by (server_version) (etcd_server_version{${sel}})) > 1`,
        '30m',
        'members run different etcd versions',
        'Finish the rolling upgrade.',
      ),
    ],
  };
}

/** Rules on the balancer's own metrics, when the cluster has one that exports them. */
export function balancerRules(c: RulesCluster): RuleGroup | null {
  const b = c.balancer;
  const t = c.thresholds;
  const n = c.name;
  if (!b) return null;
  if (b.type === 'haproxy') {
    const px = `proxy=${q(b.backend)}`;
    const inc = (m: string, extra = '') => `sum by (proxy, server) (increase(${m}{${px}${extra}}[1m]))`;
    return {
      name: `fulcrum-haproxy-${n}`,
      rules: [
        rule(
          'HaproxyServerErrors',
          'balancer-errors',
          'warning',
          n,
          `(${['haproxy_server_connection_errors_total', 'haproxy_server_response_errors_total', 'haproxy_server_retry_warnings_total', 'haproxy_server_redispatch_warnings_total'].map((m) => inc(m)).join(' + ')}) >= ${t.balancerErrorsPerMinute}`,
          '0s',
          'HAProxy sees errors toward {{ $labels.server }}',
          'Connection and response errors, retries and redispatches: clients see resets and 502/503.',
        ),
        rule(
          'HaproxyServer5xx',
          'balancer-errors',
          'warning',
          n,
          `${inc('haproxy_server_http_responses_total', ',code="5xx"')} >= ${t.balancerErrorsPerMinute}`,
          '0s',
          '{{ $labels.server }} answers 5xx through HAProxy',
          'Only in mode http (L7).',
        ),
        rule(
          'HaproxyTcpOnlyCheck',
          'health-check-gap',
          'warning',
          n,
          `haproxy_server_check_status{${px},state="L4OK"} == 1`,
          '5m',
          '{{ $labels.server }} is checked over TCP only',
          'A TCP check passes while the member is hung, has no leader or raised an alarm: check /health over HTTP.',
        ),
        rule(
          'HaproxyNoServerUp',
          'balancer-outage',
          'critical',
          n,
          `sum by (proxy) (haproxy_server_status{${px},state="UP"}) == 0`,
          '1m',
          `no server of backend ${b.backend} is UP`,
          'Every member is out of the balancer: a check path the running etcd does not serve (404), or every member down.',
        ),
      ],
    };
  }
  if (!b.plusApi) return null;
  const up = `upstream=${q(b.upstream ?? 'etcd')}`;
  const both = (m: string, extra = '') =>
    `increase(nginxplus_upstream_server_${m}{${up}${extra}}[1m]) or increase(nginxplus_stream_upstream_server_${m}{${up}${extra}}[1m])`;
  return {
    name: `fulcrum-nginx-${n}`,
    rules: [
      rule(
        'NginxPlusUpstreamFails',
        'balancer-errors',
        'warning',
        n,
        `sum by (upstream, server) (${both('fails')}) >= ${t.balancerErrorsPerMinute}`,
        '0s',
        'NGINX fails to reach {{ $labels.server }}',
        'Unsuccessful attempts to communicate with the server (nginx-prometheus-exporter).',
      ),
      rule(
        'NginxPlus5xx',
        'balancer-errors',
        'warning',
        n,
        `sum by (upstream, server) (increase(nginxplus_upstream_server_responses{${up},code="5xx"}[1m])) >= ${t.balancerErrorsPerMinute}`,
        '0s',
        '{{ $labels.server }} answers 5xx through NGINX',
        'http/grpc upstreams only.',
      ),
      rule(
        'NginxPlusNoServerUp',
        'balancer-outage',
        'critical',
        n,
        // state 1 = up (nginx-prometheus-exporter: up 1, draining 2, down 3, unavail 4, checking 5, unhealthy 6)
        `sum by (upstream) ((nginxplus_upstream_server_state{${up}} == bool 1) or (nginxplus_stream_upstream_server_state{${up}} == bool 1)) == 0`,
        '1m',
        `no server of upstream ${b.upstream ?? 'etcd'} is up`,
        'Every member is out: a health_check uri the running etcd does not serve (404), or every member down.',
      ),
    ],
  };
}

/** Detectors PromQL can't express from etcd's, HAProxy's or NGINX's metrics, and why. */
export function notExpressible(clusters: RulesCluster[]): NotExpressible[] {
  const anyOss = clusters.some((c) => c.balancer?.type === 'nginx' && !c.balancer.plusApi);
  const out: NotExpressible[] = [
    {
      detector: 'unhealthy-serving',
      why: "needs to know which balancer server is which etcd member; the balancer's metrics name servers, etcd's name instances, and nothing joins them",
    },
    {
      detector: 'learner-serving',
      why: "etcd_server_is_learner names the learner's instance, the balancer's metrics name its servers: the same missing server↔member join",
    },
    {
      detector: 'connection-pinning',
      why: "compares each member's share of etcd requests with its share of the balancer's new connections: the same missing server↔member join",
    },
    {
      detector: 'member-stall',
      why: "times Fulcrum's own probe of each member against the fastest one: no etcd metric measures how late a member answers its clients",
    },
    {
      detector: 'balancer-drain',
      why: "an operator's drain is intent, not a fault (info): telling it from a failed check needs the server↔member join and when it began",
    },
    {
      detector: 'tls-certificate',
      why: 'etcd and the balancers publish no certificate expiry; a blackbox exporter probe (probe_ssl_earliest_cert_expiry) can',
    },
  ];
  if (anyOss)
    out.push({
      detector: 'balancer-errors',
      why: 'open-source NGINX publishes no per-upstream metrics (stub_status counts connections only): Fulcrum reads its logs instead',
    });
  return out;
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
        'Fulcrum raised a critical finding (any detector, including the ones PromQL cannot express); its evidence and fixes are on the cluster page.',
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

export function alertRules(clusters: RulesCluster[]): { groups: RuleGroup[] } {
  const t = clusters[0]?.thresholds;
  return {
    groups: [
      ...clusters.flatMap((c) => {
        const b = balancerRules(c);
        return b ? [etcdRules(c), b] : [etcdRules(c)];
      }),
      fulcrumRules(t?.skewScore ?? 0.2, t?.skewScoreCritical ?? 0.5),
    ],
  };
}

/** The rules file as served by GET /api/rules and printed by `npm run rules`: the YAML, with what isn't expressible as comments. */
export function rulesFile(
  clusters: RulesCluster[],
  /** The rate window of a fleet read from Prometheus (discovery): its recording rules come too. */
  fleet?: { rateWindow: string },
): string {
  const missing = notExpressible(clusters);
  const covered = new Set(
    alertRules(clusters).groups.flatMap((g) => g.rules.map((r) => r.labels.detector).filter(Boolean)),
  );
  const lines = [
    `# Generated by Fulcrum from ${clusters.length} cluster(s). Load with rule_files: in prometheus.yml.`,
    `# Detectors with rules here: ${FINDING_KINDS.filter((k) => covered.has(k)).join(', ')}.`,
    '# Detectors PromQL cannot express (FulcrumCriticalFinding fires on any critical finding Fulcrum raises):',
    ...missing.map((m) => `#   ${m.detector}: ${m.why}`),
  ];
  const file: { groups: Array<RuleGroup | ReturnType<typeof recordingRules>> } = alertRules(clusters);
  if (fleet) {
    lines.push(
      '# fulcrum-fleet: recording rules for a fleet read from Prometheus (discovery). Fulcrum finds them by',
      '# name and reads them instead of the raw series: far fewer samples per fleet tick. Evaluate them',
      '# as often as the targets are scraped (the group interval, or the global evaluation_interval).',
    );
    file.groups = [...file.groups, recordingRules(fleet.rateWindow)];
  }
  return `${lines.join('\n')}\n${stringify(file, { lineWidth: 0 })}`;
}

/** The rules file for a whole config: its clusters' alerting rules and, with discovery, the fleet's recording rules. */
export function configRulesFile(cfg: Pick<FulcrumConfig, 'clusters' | 'discovery' | 'prometheus'>): string {
  return rulesFile(cfg.clusters, cfg.discovery ? { rateWindow: cfg.prometheus?.rateWindow ?? '30s' } : undefined);
}
