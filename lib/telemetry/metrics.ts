// Fulcrum's own metrics (GET /api/metrics), so teams can alert on imbalance with Prometheus.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DIMENSIONS } from '../dimensions';
import type { EngineTelemetry, PrometheusQueryPurpose, TelemetrySource } from '../engine/publish';
import type { FleetTickStats } from '../fleet/fleet';
import type { ClusterSource } from '../fleet/types';
import { DIMENSION_IDS, type ClusterState } from '../types';
import type { AgentCheckResult, AgentTelemetry } from '../weights/agent';

/** What the metrics read from a cluster's last poll (references into its state: nothing is copied). */
type PolledState = Pick<ClusterState, 'scores' | 'members' | 'findings'> & Partial<Pick<ClusterState, 'weights'>>;

export class Telemetry implements EngineTelemetry, AgentTelemetry {
  readonly registry = new Registry();
  private readonly pollDuration: Histogram;
  private readonly sourceErrors: Counter;
  private readonly internalErrors: Counter;
  private readonly promQueries: Counter;
  private readonly discoverySkipped: Gauge;
  private readonly fleetPromTick: Histogram;
  private readonly overloaded: Gauge;
  private readonly overloadedPolls: Counter;
  private readonly pollInterval: Gauge;
  /**
   * Each cluster's last poll, as the metrics need it. The per-cluster, per-member gauges are
   * filled from here when /api/metrics is read, not on every poll: 500 discovered clusters set
   * ~60,000 labelled values per fleet tick, each hashing its labels, for a scrape every 15 s or more.
   */
  private readonly latest = new Map<string, PolledState>();
  readonly subscribers: Gauge;
  readonly dropped: Counter;
  readonly fleetSubscribers: Gauge;
  readonly fleetDropped: Counter;
  private readonly fleetTick: Histogram;
  private readonly fleetDeltaBytes: Histogram;
  private readonly fleetClusters: Gauge;
  private readonly agentChecks: Counter;
  private readonly agentPercent: Gauge;
  private readonly agentChanges: Counter;
  private readonly agentUp: Gauge;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const gauge = (name: string, help: string, labelNames: string[] = []) =>
      new Gauge({ name, help, labelNames, registers });
    const counter = (name: string, help: string, labelNames: string[] = []) =>
      new Counter({ name, help, labelNames, registers });
    const histogram = (name: string, help: string, buckets: number[], labelNames: string[] = []) =>
      new Histogram({ name, help, buckets, labelNames, registers });
    // A gauge read from `latest` at scrape time: what a cluster no longer has is gone with it.
    const latest = this.latest;
    const fromPolls = (
      name: string,
      help: string,
      labelNames: string[],
      fill: (g: Gauge, cluster: string, s: PolledState) => void,
    ) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect(this: Gauge) {
          this.reset();
          for (const [cluster, s] of latest) fill(this, cluster, s);
        },
      });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'fulcrum_' });
    const scored = DIMENSION_IDS.filter((id) => DIMENSIONS[id].scored);
    const perScore =
      (key: 'score' | 'scoreEqual') =>
      (g: Gauge, cluster: string, s: PolledState): void => {
        for (const dimension of scored) {
          const v = s.scores[dimension][key];
          if (v !== null) g.set({ cluster, dimension }, v);
        }
      };
    const perMemberDimension =
      (key: 'share' | 'expectedShare') =>
      (g: Gauge, cluster: string, s: PolledState): void => {
        for (const m of s.members)
          for (const dimension of DIMENSION_IDS) {
            const v = m.dims[dimension][key];
            if (v !== null) g.set({ cluster, member: m.name, dimension }, v);
          }
      };
    fromPolls(
      'fulcrum_imbalance_score',
      'How unevenly a load dimension is spread across members against the expected shares: 0 = as expected, 1 = all on one member',
      ['cluster', 'dimension'],
      perScore('score'),
    );
    fromPolls(
      'fulcrum_imbalance_score_equal',
      'Imbalance score of a dimension against equal shares',
      ['cluster', 'dimension'],
      perScore('scoreEqual'),
    );
    fromPolls(
      'fulcrum_member_share',
      "A member's observed fraction of the cluster total of a dimension",
      ['cluster', 'member', 'dimension'],
      perMemberDimension('share'),
    );
    fromPolls(
      'fulcrum_member_expected_share',
      "A member's expected fraction of a dimension (configured weights or equal)",
      ['cluster', 'member', 'dimension'],
      perMemberDimension('expectedShare'),
    );
    fromPolls(
      'fulcrum_member_up',
      '1 when the member answers and is healthy, 0.5 when it answers but is unhealthy, 0 when down',
      ['cluster', 'member'],
      (g, cluster, s) => {
        for (const m of s.members)
          g.set({ cluster, member: m.name }, m.status === 'up' ? 1 : m.status === 'unhealthy' ? 0.5 : 0);
      },
    );
    fromPolls('fulcrum_member_is_leader', '1 on the raft leader', ['cluster', 'member'], (g, cluster, s) => {
      for (const m of s.members) g.set({ cluster, member: m.name }, m.isLeader ? 1 : 0);
    });
    this.pollDuration = histogram(
      'fulcrum_poll_duration_seconds',
      'Time of one poll of a cluster (all members and the analysis)',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      ['cluster'],
    );
    this.sourceErrors = counter(
      'fulcrum_source_errors_total',
      'Failed calls to a source (an etcd member that did not answer a poll, Prometheus, the balancer, a log source)',
      ['cluster', 'source', 'member'],
    );
    this.promQueries = counter(
      'fulcrum_prometheus_queries_total',
      "Queries sent to Prometheus, by purpose (fleet: the discovered fleet tick; discovery: the cluster list; cluster/discovered: one cluster's members or history)",
      ['purpose'],
    );
    this.discoverySkipped = gauge(
      'fulcrum_discovery_skipped',
      'What the last Prometheus discovery left out, by reason (invalid-name, invalid-member, too-many-members, too-many-clusters, invalid-label, configured)',
      ['reason'],
    );
    this.fleetPromTick = histogram(
      'fulcrum_fleet_prometheus_tick_duration_seconds',
      'Time of one Prometheus fleet tick (its queries, then every discovered cluster advanced)',
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    );
    this.internalErrors = counter(
      'fulcrum_internal_errors_total',
      'Polls that failed inside Fulcrum itself (a bug), not because a source failed',
      ['cluster'],
    );
    this.overloaded = gauge(
      'fulcrum_overloaded',
      '1 while Fulcrum is overloaded for this cluster: its own polls run late (event loop stalled, or polls longer than the interval) and the interval is stretched; timeouts then are not blamed on etcd',
      ['cluster'],
    );
    this.overloadedPolls = counter(
      'fulcrum_overloaded_polls_total',
      "Polls during which Fulcrum's own event loop stalled: their timeouts were not counted as source errors",
      ['cluster'],
    );
    this.pollInterval = gauge(
      'fulcrum_poll_interval_seconds',
      'The poll interval in force for a cluster: the configured one, or longer while Fulcrum is overloaded',
      ['cluster'],
    );
    fromPolls('fulcrum_findings', 'Active findings', ['cluster', 'kind', 'severity'], (g, cluster, s) => {
      for (const f of s.findings) g.inc({ cluster, kind: f.kind, severity: f.severity });
    });
    this.subscribers = gauge('fulcrum_stream_subscribers', 'Open SSE streams', ['cluster']);
    this.dropped = counter(
      'fulcrum_stream_dropped_total',
      'Deltas not sent to a slow stream client (it got the full state instead)',
      ['cluster'],
    );
    this.fleetSubscribers = gauge(
      'fulcrum_fleet_stream_subscribers',
      'Open fleet SSE streams (fleet pages and wall screens)',
    );
    this.fleetDropped = counter(
      'fulcrum_fleet_stream_dropped_total',
      'Fleet deltas not sent to a slow stream client (it got the whole fleet instead)',
    );
    this.fleetTick = histogram(
      'fulcrum_fleet_tick_duration_seconds',
      'Time of one fleet tick (summaries of every cluster, the diff, the publish)',
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    );
    this.fleetDeltaBytes = histogram(
      'fulcrum_fleet_delta_bytes',
      'Size of one fleet delta (JSON bytes, before SSE framing)',
      [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304],
    );
    this.fleetClusters = gauge(
      'fulcrum_fleet_clusters',
      'Clusters in the fleet, by source (direct: polled; prometheus: discovered and read from Prometheus)',
      ['source'],
    );
    fromPolls(
      'fulcrum_weights_prediction_error',
      'After the last weight change at the balancer settled: the largest |measured − predicted| request share over the members (0..1)',
      ['cluster'],
      (g, cluster, s) => {
        const err = s.weights?.change?.error;
        if (err !== null && err !== undefined) g.set({ cluster }, err);
      },
    );
    this.agentChecks = counter(
      'fulcrum_agent_checks_total',
      'HAProxy agent-checks the weights agent answered, by result (answered, no-weight-yet, unknown-member, ambiguous, bad-request, timeout; cluster and member empty when the check named none)',
      ['cluster', 'member', 'result'],
    );
    this.agentPercent = gauge(
      'fulcrum_agent_weight_percent',
      "The weight the agent hands out for a member, in percent of the server's configured weight",
      ['cluster', 'member'],
    );
    this.agentChanges = counter(
      'fulcrum_agent_weight_changes_total',
      'Weights (or drain/ready) the agent handed out that differ from its previous answer: each is a line in its audit log',
      ['cluster', 'member'],
    );
    this.agentUp = gauge(
      'fulcrum_agent_listening',
      '1 while the weights agent listens for agent-checks, 0 when it cannot (see the log)',
    );
  }

  agentCheck(cluster: string, member: string, result: AgentCheckResult): void {
    this.agentChecks.inc({ cluster, member, result });
  }

  agentWeight(cluster: string, member: string, percent: number | null, changed: boolean): void {
    if (percent !== null) this.agentPercent.set({ cluster, member }, percent);
    if (changed) this.agentChanges.inc({ cluster, member });
  }

  agentListening(up: boolean): void {
    this.agentUp.set(up ? 1 : 0);
  }

  /** One fleet tick: how long it took, how many clusters, how large its delta was. */
  fleetTickDone(s: FleetTickStats, bySource: Record<ClusterSource, number>): void {
    this.fleetTick.observe(s.durationMs / 1000);
    this.fleetDeltaBytes.observe(s.deltaBytes);
    for (const [source, n] of Object.entries(bySource)) this.fleetClusters.set({ source }, n);
  }

  pollDone(cluster: string, state: PolledState, durationMs: number): void {
    this.pollDuration.observe({ cluster }, durationMs / 1000);
    this.latest.set(cluster, state);
  }

  /**
   * A cluster Fulcrum no longer watches (a discovered cluster whose series went): its series go
   * too (source errors by member stay: they count what happened).
   */
  clusterGone(cluster: string): void {
    this.latest.delete(cluster);
    for (const m of [this.pollDuration, this.overloaded, this.pollInterval, this.overloadedPolls, this.internalErrors])
      m.remove({ cluster });
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
