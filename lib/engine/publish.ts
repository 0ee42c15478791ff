// Step 3 of a poll: publish. The delta goes to the hub (every stream of this cluster), the
// numbers to Fulcrum's own metrics, and sources that keep failing to the log (rate-limited).
import type { ClusterDelta, ClusterState } from '../types';
import { isTimeout } from '../sources/http';
import { type AdvanceResult, logsProblem } from './advance';
import { answeredPoll, type Collected, pollOf } from './collect';
import type { Hub } from './hub';
import type { RateLimitedLog } from './log';
import type { EngineConfig } from './state';

export type TelemetrySource = 'etcd' | 'prometheus' | 'balancer' | 'logs';

/** What the engine reports to Fulcrum's own /api/metrics. */
export interface EngineTelemetry {
  /** Called once per poll with what the metrics need (not the whole state: no history copy). */
  pollDone(
    cluster: string,
    state: Pick<ClusterState, 'scores' | 'members' | 'findings'> & Partial<Pick<ClusterState, 'weights'>>,
    durationMs: number,
  ): void;
  sourceError(cluster: string, source: TelemetrySource, member: string | null): void;
  /** The cluster is no longer watched (a discovered cluster whose series went). */
  clusterGone?(cluster: string): void;
  /** A poll crashed inside Fulcrum (a bug), not because of a source. */
  internalError(cluster: string): void;
  /** One query sent to Prometheus, by what it was for. */
  prometheusQuery?(purpose: PrometheusQueryPurpose): void;
  /** Fulcrum's own lateness in this poll: overloaded or not, and the interval in force. */
  overload?(cluster: string, o: { overloaded: boolean; stalled: boolean; intervalMs: number }): void;
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

/**
 * Each failed source call of this poll, as telemetry counts it, with why. A timeout while Fulcrum
 * itself stalled is not a source error (it is counted as an overloaded poll instead).
 */
export function sourceErrors(
  c: Collected,
  cfg: EngineConfig,
  r: Pick<AdvanceResult, 'excused' | 'overload'>,
): Array<{ source: TelemetrySource; member: string | null; error: string }> {
  const out: Array<{ source: TelemetrySource; member: string | null; error: string }> = [];
  const excusable = (error: string | null) => r.overload.stalled && isTimeout(error);
  c.members.forEach((m, i) => {
    if (!m || r.excused[i]) return;
    const p = pollOf(m);
    if (!answeredPoll(p))
      out.push({ source: 'etcd', member: cfg.endpoints[i], error: m.ok ? (p?.statusError ?? 'no answer') : m.error });
  });
  const pr = c.prometheus;
  if (pr?.kind === 'members' && !pr.result.ok && !excusable(pr.result.error))
    out.push({ source: 'prometheus', member: null, error: pr.result.error });
  const b = c.balancer;
  if (b && !b.result.ok && !excusable(b.result.error))
    out.push({ source: 'balancer', member: null, error: b.result.error });
  if (c.logs?.error) out.push({ source: 'logs', member: null, error: c.logs.error });
  const seen = new Set<string>();
  for (const p of c.logs?.problems ?? []) {
    if (seen.has(p.endpoint)) continue;
    seen.add(p.endpoint);
    out.push({ source: 'logs', member: p.endpoint, error: p.message });
  }
  return out;
}

/** Keys of the rate-limited log: one line per cluster and cause. */
const logKey = (cluster: string, cause: string) => `${cluster}\u0000${cause}`;

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
  const name = cfg.name;
  const errors = sourceErrors(c, cfg, r);
  for (const e of errors) to.telemetry?.sourceError(name, e.source, e.member);
  // One line per cluster and source, whatever the number of failures behind it.
  const etcd = errors.filter((e) => e.source === 'etcd');
  if (etcd.length)
    to.log.warn(
      logKey(name, 'etcd'),
      `cluster ${name}: etcd: ${etcd.length} of ${c.members.filter(Boolean).length} members did not answer: ${etcd
        .map((e) => `${e.member} (${e.error})`)
        .join(', ')}`,
      now,
    );
  for (const source of ['prometheus', 'balancer'] as const) {
    const e = errors.find((x) => x.source === source);
    if (e) to.log.warn(logKey(name, source), `cluster ${name}: ${source}: ${e.error}`, now);
  }
  const logs = r.state.sources.logs;
  if (logs && !logs.ok)
    to.log.warn(logKey(name, 'logs'), `cluster ${name}: logs: ${logsProblem(c.logs) ?? logs.error}`, now);
  const o = r.overload;
  if (o.cause) to.log.warn(logKey(name, 'overload'), `cluster ${name}: ${o.cause}`, now);
  else if (o.cleared)
    to.log.warn(
      logKey(name, 'caught-up'),
      `cluster ${name}: Fulcrum caught up: polling every ${o.intervalMs} ms again`,
      now,
    );
  to.telemetry?.overload?.(name, { overloaded: o.cause !== null, stalled: o.stalled, intervalMs: o.intervalMs });
  to.telemetry?.pollDone(
    name,
    { scores: r.state.scores, members: r.state.members, findings: r.state.findings, weights: r.state.weights },
    durationMs,
  );
  // Nobody streams this cluster: no delta to make (one who connects later starts from the state).
  if (to.hub.size > 0) to.hub.publish({ type: 'delta', delta: r.delta });
}
