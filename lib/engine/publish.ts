// Step 3 of a poll: publish. The delta goes to the hub (every stream of this cluster), the
// numbers to Fulcrum's own metrics, and sources that keep failing to the log (rate-limited).
import type { ClusterDelta, ClusterState } from '../types';
import type { AdvanceResult } from './advance';
import { answeredPoll, type Collected, pollOf } from './collect';
import type { Hub } from './hub';
import type { RateLimitedLog } from './log';
import type { EngineConfig } from './state';

export type TelemetrySource = 'etcd' | 'prometheus' | 'balancer' | 'logs';

/** What the engine reports to Fulcrum's own /api/metrics. */
export interface EngineTelemetry {
  /** Called once per poll with what the metrics need (not the whole state: no history copy). */
  pollDone(cluster: string, state: Pick<ClusterState, 'scores' | 'members' | 'findings'>, durationMs: number): void;
  sourceError(cluster: string, source: TelemetrySource, member: string | null): void;
  /** A poll crashed inside Fulcrum (a bug), not because of a source. */
  internalError(cluster: string): void;
  /** One query sent to Prometheus, by what it was for. */
  prometheusQuery?(purpose: PrometheusQueryPurpose): void;
}

/** What a Prometheus query was for: a polled cluster's members or history, a discovered cluster's history, the fleet. */
export type PrometheusQueryPurpose = 'cluster' | 'discovered' | 'fleet' | 'discovery';

/** What the hub carries to stream subscribers. */
export type StreamMessage =
  | { type: 'delta'; delta: ClusterDelta }
  /** The state changed in a way deltas can't say (a backfill, an internal error): send the full state. */
  | { type: 'resync' }
  /** The server is shutting down: end the stream so clients reconnect elsewhere. */
  | { type: 'close' };

export interface PublishTarget {
  hub: Hub<StreamMessage>;
  telemetry?: EngineTelemetry;
  log: RateLimitedLog;
}

/** Each failed source call of this poll, as telemetry counts it. */
export function sourceErrors(
  c: Collected,
  cfg: EngineConfig,
): Array<{ source: TelemetrySource; member: string | null }> {
  const out: Array<{ source: TelemetrySource; member: string | null }> = [];
  c.members.forEach((m, i) => {
    if (m && !answeredPoll(pollOf(m))) out.push({ source: 'etcd', member: cfg.endpoints[i] });
  });
  if (c.prometheus?.kind === 'members' && !c.prometheus.result.ok) out.push({ source: 'prometheus', member: null });
  if (c.balancer && !c.balancer.result.ok) out.push({ source: 'balancer', member: null });
  if (c.logs?.error) out.push({ source: 'logs', member: null });
  for (const endpoint of new Set(c.logs?.problems.map((p) => p.endpoint)))
    out.push({ source: 'logs', member: endpoint });
  return out;
}

/**
 * Step 3 of a poll. `durationMs` is the poll's wall time so far; `now` the time of publishing
 * (for the log's rate limit).
 */
export function publish(
  to: PublishTarget,
  cfg: EngineConfig,
  c: Collected,
  r: AdvanceResult,
  durationMs: number,
  now: number,
): void {
  for (const e of sourceErrors(c, cfg)) to.telemetry?.sourceError(cfg.name, e.source, e.member);
  const logs = r.state.sources.logs;
  if (logs && !logs.ok) to.log.warn(`${cfg.name}\u0000logs`, `cluster ${cfg.name}: logs: ${logs.error}`, now);
  to.telemetry?.pollDone(
    cfg.name,
    { scores: r.state.scores, members: r.state.members, findings: r.state.findings },
    durationMs,
  );
  to.hub.publish({ type: 'delta', delta: r.delta });
}
