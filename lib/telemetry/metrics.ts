// Fulcrum's own metrics (GET /api/metrics), so teams can alert on imbalance with Prometheus.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DIMENSIONS } from '../dimensions';
import type { EngineTelemetry, PrometheusQueryPurpose, TelemetrySource } from '../engine/publish';
import type { FleetTickStats } from '../fleet/fleet';
import type { ClusterSource } from '../fleet/types';
import { DIMENSION_IDS, type ClusterState } from '../types';

export class Telemetry implements EngineTelemetry {
  readonly registry = new Registry();
  private readonly score: Gauge;
  private readonly scoreEqual: Gauge;
  private readonly share: Gauge;
  private readonly expectedShare: Gauge;
  private readonly memberUp: Gauge;
  private readonly memberLeader: Gauge;
  private readonly pollDuration: Histogram;
  private readonly sourceErrors: Counter;
  private readonly internalErrors: Counter;
  private readonly promQueries: Counter;
  private readonly discoverySkipped: Gauge;
  private readonly fleetPromTick: Histogram;
  private readonly overloaded: Gauge;
  private readonly overloadedPolls: Counter;
  private readonly pollInterval: Gauge;
  private readonly findings: Gauge;
  private readonly findingKeys = new Map<string, Set<string>>();
  readonly subscribers: Gauge;
  readonly dropped: Counter;
  readonly fleetSubscribers: Gauge;
  readonly fleetDropped: Counter;
  private readonly fleetTick: Histogram;
  private readonly fleetDeltaBytes: Histogram;
  private readonly fleetClusters: Gauge;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'fulcrum_' });
    this.score = new Gauge({
      name: 'fulcrum_imbalance_score',
      help: 'How unevenly a load dimension is spread across members against the expected shares: 0 = as expected, 1 = all on one member',
      labelNames: ['cluster', 'dimension'],
      registers,
    });
    this.scoreEqual = new Gauge({
      name: 'fulcrum_imbalance_score_equal',
      help: 'Imbalance score of a dimension against equal shares',
      labelNames: ['cluster', 'dimension'],
      registers,
    });
    this.share = new Gauge({
      name: 'fulcrum_member_share',
      help: "A member's observed fraction of the cluster total of a dimension",
      labelNames: ['cluster', 'member', 'dimension'],
      registers,
    });
    this.expectedShare = new Gauge({
      name: 'fulcrum_member_expected_share',
      help: "A member's expected fraction of a dimension (configured weights or equal)",
      labelNames: ['cluster', 'member', 'dimension'],
      registers,
    });
    this.memberUp = new Gauge({
      name: 'fulcrum_member_up',
      help: '1 when the member answers and is healthy, 0.5 when it answers but is unhealthy, 0 when down',
      labelNames: ['cluster', 'member'],
      registers,
    });
    this.memberLeader = new Gauge({
      name: 'fulcrum_member_is_leader',
      help: '1 on the raft leader',
      labelNames: ['cluster', 'member'],
      registers,
    });
    this.pollDuration = new Histogram({
      name: 'fulcrum_poll_duration_seconds',
      help: 'Time of one poll of a cluster (all members and the analysis)',
      labelNames: ['cluster'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.sourceErrors = new Counter({
      name: 'fulcrum_source_errors_total',
      help: 'Failed calls to a source (an etcd member that did not answer a poll, Prometheus, the balancer, a log source)',
      labelNames: ['cluster', 'source', 'member'],
      registers,
    });
    this.promQueries = new Counter({
      name: 'fulcrum_prometheus_queries_total',
      help: "Queries sent to Prometheus, by purpose (fleet: the discovered fleet tick; discovery: the cluster list; cluster/discovered: one cluster's members or history)",
      labelNames: ['purpose'],
      registers,
    });
    this.discoverySkipped = new Gauge({
      name: 'fulcrum_discovery_skipped',
      help: 'What the last Prometheus discovery left out, by reason (invalid-name, invalid-member, too-many-members, too-many-clusters, invalid-label, configured)',
      labelNames: ['reason'],
      registers,
    });
    this.fleetPromTick = new Histogram({
      name: 'fulcrum_fleet_prometheus_tick_duration_seconds',
      help: 'Time of one Prometheus fleet tick (its queries, then every discovered cluster advanced)',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.internalErrors = new Counter({
      name: 'fulcrum_internal_errors_total',
      help: 'Polls that failed inside Fulcrum itself (a bug), not because a source failed',
      labelNames: ['cluster'],
      registers,
    });
    this.overloaded = new Gauge({
      name: 'fulcrum_overloaded',
      help: '1 while Fulcrum is overloaded for this cluster: its own polls run late (event loop stalled, or polls longer than the interval) and the interval is stretched; timeouts then are not blamed on etcd',
      labelNames: ['cluster'],
      registers,
    });
    this.overloadedPolls = new Counter({
      name: 'fulcrum_overloaded_polls_total',
      help: "Polls during which Fulcrum's own event loop stalled: their timeouts were not counted as source errors",
      labelNames: ['cluster'],
      registers,
    });
    this.pollInterval = new Gauge({
      name: 'fulcrum_poll_interval_seconds',
      help: 'The poll interval in force for a cluster: the configured one, or longer while Fulcrum is overloaded',
      labelNames: ['cluster'],
      registers,
    });
    this.findings = new Gauge({
      name: 'fulcrum_findings',
      help: 'Active findings',
      labelNames: ['cluster', 'kind', 'severity'],
      registers,
    });
    this.subscribers = new Gauge({
      name: 'fulcrum_stream_subscribers',
      help: 'Open SSE streams',
      labelNames: ['cluster'],
      registers,
    });
    this.dropped = new Counter({
      name: 'fulcrum_stream_dropped_total',
      help: 'Deltas not sent to a slow stream client (it got the full state instead)',
      labelNames: ['cluster'],
      registers,
    });
    this.fleetSubscribers = new Gauge({
      name: 'fulcrum_fleet_stream_subscribers',
      help: 'Open fleet SSE streams (fleet pages and wall screens)',
      registers,
    });
    this.fleetDropped = new Counter({
      name: 'fulcrum_fleet_stream_dropped_total',
      help: 'Fleet deltas not sent to a slow stream client (it got the whole fleet instead)',
      registers,
    });
    this.fleetTick = new Histogram({
      name: 'fulcrum_fleet_tick_duration_seconds',
      help: 'Time of one fleet tick (summaries of every cluster, the diff, the publish)',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.fleetDeltaBytes = new Histogram({
      name: 'fulcrum_fleet_delta_bytes',
      help: 'Size of one fleet delta (JSON bytes, before SSE framing)',
      buckets: [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304],
      registers,
    });
    this.fleetClusters = new Gauge({
      name: 'fulcrum_fleet_clusters',
      help: 'Clusters in the fleet, by source (direct: polled; prometheus: discovered and read from Prometheus)',
      labelNames: ['source'],
      registers,
    });
  }

  /** One fleet tick: how long it took, how many clusters, how large its delta was. */
  fleetTickDone(s: FleetTickStats, bySource: Record<ClusterSource, number>): void {
    this.fleetTick.observe(s.durationMs / 1000);
    this.fleetDeltaBytes.observe(s.deltaBytes);
    for (const [source, n] of Object.entries(bySource)) this.fleetClusters.set({ source }, n);
  }

  pollDone(cluster: string, state: Pick<ClusterState, 'scores' | 'members' | 'findings'>, durationMs: number): void {
    this.pollDuration.observe({ cluster }, durationMs / 1000);
    for (const id of DIMENSION_IDS) {
      const s = state.scores[id];
      if (!DIMENSIONS[id].scored) continue;
      if (s.score === null) this.score.remove({ cluster, dimension: id });
      else this.score.set({ cluster, dimension: id }, s.score);
      if (s.scoreEqual === null) this.scoreEqual.remove({ cluster, dimension: id });
      else this.scoreEqual.set({ cluster, dimension: id }, s.scoreEqual);
    }
    for (const m of state.members) {
      const member = m.name;
      this.memberUp.set({ cluster, member }, m.status === 'up' ? 1 : m.status === 'unhealthy' ? 0.5 : 0);
      this.memberLeader.set({ cluster, member }, m.isLeader ? 1 : 0);
      for (const id of DIMENSION_IDS) {
        const d = m.dims[id];
        if (d.share === null) this.share.remove({ cluster, member, dimension: id });
        else this.share.set({ cluster, member, dimension: id }, d.share);
        if (d.expectedShare === null) this.expectedShare.remove({ cluster, member, dimension: id });
        else this.expectedShare.set({ cluster, member, dimension: id }, d.expectedShare);
      }
    }
    this.setFindings(cluster, state);
  }

  private setFindings(cluster: string, state: Pick<ClusterState, 'findings'>): void {
    const counts = new Map<string, number>();
    for (const f of state.findings) {
      const k = `${f.kind}\u0000${f.severity}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (const k of this.findingKeys.get(cluster) ?? []) {
      if (!counts.has(k)) {
        const [kind, severity] = k.split('\u0000');
        this.findings.remove({ cluster, kind, severity });
      }
    }
    for (const [k, v] of counts) {
      const [kind, severity] = k.split('\u0000');
      this.findings.set({ cluster, kind, severity }, v);
    }
    this.findingKeys.set(cluster, new Set(counts.keys()));
  }

  sourceError(cluster: string, source: TelemetrySource, member: string | null): void {
    this.sourceErrors.inc({ cluster, source, member: member ?? '' });
  }

  prometheusQuery(purpose: PrometheusQueryPurpose): void {
    this.promQueries.inc({ purpose });
  }

  /** One Prometheus fleet tick: its duration, and what discovery left out. */
  discoveryDone(durationMs: number, skipped: Record<string, number> | null): void {
    this.fleetPromTick.observe(durationMs / 1000);
    if (skipped) for (const [reason, n] of Object.entries(skipped)) this.discoverySkipped.set({ reason }, n);
  }

  internalError(cluster: string): void {
    this.internalErrors.inc({ cluster });
  }

  overload(cluster: string, o: { overloaded: boolean; stalled: boolean; intervalMs: number }): void {
    this.overloaded.set({ cluster }, o.overloaded ? 1 : 0);
    if (o.stalled) this.overloadedPolls.inc({ cluster });
    this.pollInterval.set({ cluster }, o.intervalMs / 1000);
  }
}
