// What the engine keeps between polls (EngineState), the configuration the pure steps read
// (EngineConfig), and the small pure transitions that are not a poll: start, backfill, an
// internal error. A poll's transition is `advance` (advance.ts).
//
// EngineState is a value: every step returns a new one and never changes the one it was given
// (arrays are copied on push, member objects are new each poll). Its parts may be shared with the
// next state, so nobody may mutate them: `ClusterEngine.state()` hands out copies of the arrays.
import type { MemberCounters } from '../analysis/counters';
import type { BalancerRef } from '../analysis/diagnosis/types';
import { emptyTracker, type TrackerState } from '../analysis/diagnosis/tracker';
import { framesFromMatrix } from '../analysis/frames';
import { currentLeader, liveCount } from '../analysis/live';
import { deriveMember } from '../analysis/member';
import type { CounterDelta } from '../analysis/rates';
import { scoreDimensions } from '../analysis/score';
import { balancerView, type ProbeSample } from '../analysis/signals';
import type { ClusterConfig, FulcrumConfig } from '../config/load';
import { emptyDimRecord } from '../dimensions';
import type { EtcdMemberInfo } from '../sources/etcd';
import type { BalancerSample } from '../sources/balancer';
import type {
  BalancerState,
  ClusterEvent,
  ClusterSources,
  ClusterState,
  ClusterStatus,
  ClusterSummary,
  DetectorCheck,
  DimensionId,
  DimensionScore,
  Finding,
  Frame,
  MemberState,
  SourceStatus,
  WeightsState,
} from '../types';
import { pushAllCapped } from './ring';

/** Events kept in the state (oldest dropped first): the browser keeps as many. */
export { MAX_EVENTS } from '../stream/delta';
/** Polls before asking Prometheus again about a member it reported down. */
export const PROM_DOWN_QUIET_POLLS = 5;

/** Everything the pure steps read from the configuration, resolved once per engine. */
export interface EngineConfig {
  name: string;
  cluster: ClusterConfig;
  pollIntervalMs: number;
  scoreWindowPolls: number;
  historyMs: number;
  /** Frames kept in memory. */
  historyCapacity: number;
  /** Counter deltas kept per member: enough for the score window, the diagnosis window and a minute. */
  deltaCapacity: number;
  /** Polls in one minute (leader changes and failure counters are per minute). */
  minutePolls: number;
  /**
   * Probes kept per member: the diagnosis window, and at least two minutes, the time etcd's
   * smoothed peer round trips take to forget a stall (see lib/analysis/diagnosis/stall.ts).
   */
  probeCapacity: number;
  /** Failed polls in a row before a member is called down. */
  downAfter: number;
  /** Refresh the member list every N polls. */
  memberListEvery: number;
  endpoints: string[];
  weights: number[];
  /** The configured balancer, as fixes name it (type and backend/upstream): one derivation for all uses. */
  balancerRef: BalancerRef | null;
  /** Which sources exist (their status is null when not); etcd: some member is polled directly. */
  has: { etcd: boolean; prometheus: boolean; balancer: boolean; logs: boolean };
  /** Prometheus `rate()` window (used when Prometheus is configured). */
  rateWindow: string;
  /** Window of log-signal counts handed to the detectors (ms). */
  logWindowMs: number;
  /** After a weight change at the balancer, when the measured shares are compared with the prediction (ms). */
  settleMs: number;
  /** Deadline of one source call (ms). */
  timeoutMs: number;
  /**
   * Fulcrum's event loop stalled at least this long during a poll: a timeout in that poll is not
   * held against the source (a stall of a quarter of the interval stretches the interval).
   */
  stallToleranceMs: number;
  /** The longest an overloaded Fulcrum stretches the poll interval to. */
  maxIntervalMs: number;
}

/** Event-loop utilization from which Fulcrum counts as having more work than it gets done. */
export const BUSY_LOOP = 0.8;

/** Polls in time in a row before a stretched interval is halved again. */
export const CALM_POLLS_TO_SHRINK = 5;

export function engineConfig(
  cfg: FulcrumConfig,
  cluster: ClusterConfig,
  opts: { downAfter: number; memberListEvery: number; has: EngineConfig['has'] },
): EngineConfig {
  const historyMs = cfg.historyMinutes * 60_000;
  const minutePolls = Math.max(1, Math.ceil(60_000 / cfg.pollIntervalMs));
  return {
    name: cluster.name,
    cluster,
    pollIntervalMs: cfg.pollIntervalMs,
    scoreWindowPolls: cfg.scoreWindowPolls,
    historyMs,
    historyCapacity: Math.max(10, Math.ceil(historyMs / cfg.pollIntervalMs)),
    deltaCapacity: Math.max(cfg.scoreWindowPolls, cluster.thresholds.windowPolls, minutePolls),
    minutePolls,
    probeCapacity: Math.max(cluster.thresholds.windowPolls, 2 * minutePolls),
    downAfter: opts.downAfter,
    memberListEvery: opts.memberListEvery,
    endpoints: cluster.endpoints.map((e) => e.url),
    weights: cluster.endpoints.map((e) => (cluster.weighted ? e.weight : 1)),
    balancerRef: balancerRefOf(cluster.balancer),
    has: opts.has,
    rateWindow: cfg.prometheus?.rateWindow ?? '',
    logWindowMs: Math.max(60_000, cluster.thresholds.windowPolls * cfg.pollIntervalMs),
    settleMs: cfg.weights.settleMs,
    timeoutMs: cfg.timeoutMs,
    stallToleranceMs: Math.max(50, Math.round(cfg.timeoutMs / 10)),
    maxIntervalMs: Math.min(60_000, Math.max(cfg.pollIntervalMs, cfg.pollIntervalMs * 8)),
  };
}

/** The configured balancer as fixes and the balancer view name it. */
export function balancerRefOf(b: ClusterConfig['balancer']): BalancerRef | null {
  if (!b) return null;
  return b.type === 'haproxy'
    ? { type: 'haproxy', backend: b.backend, runtimeApi: b.runtimeApi, plusApi: null, configFile: b.configFile ?? null }
    : {
        type: 'nginx',
        backend: b.upstream ?? 'etcd',
        runtimeApi: null,
        plusApi: b.plusApi ?? null,
        configFile: b.config ?? null,
      };
}

/** What the engine remembers between polls. */
export interface EngineState {
  /** Polls run (the first poll is tick 1). */
  ticks: number;
  /** Polls published (deltas carry it). */
  seq: number;
  updatedAt: number | null;
  status: ClusterStatus;
  members: MemberState[];
  /** The member list as etcd last reported it. */
  knownMembers: EtcdMemberInfo[];
  /** Per member: polls in a row it did not answer. */
  failures: number[];
  /** Per member: polls in a row its timeouts were excused (Fulcrum stalled) while its peers answered. */
  excusedInRow: number[];
  /** Per member: the tick until which Prometheus is not asked about it again. */
  promQuietUntil: number[];
  /** Per member: the counters of its last answered poll, and that poll's time. */
  lastCounters: Array<{ counters: MemberCounters; t: number } | null>;
  /** Per member: counter deltas between consecutive polls, oldest first (at most deltaCapacity). */
  deltas: CounterDelta[][];
  /** Per member: its probes, oldest first (at most probeCapacity). */
  probes: ProbeSample[][];
  frames: Frame[];
  events: ClusterEvent[];
  scores: Record<DimensionId, DimensionScore>;
  /** Balancer snapshots of the diagnosis window, oldest first. */
  balancerSnaps: BalancerSample[];
  balancer: BalancerState | null;
  tracker: TrackerState;
  /** Active findings (after hysteresis). */
  findings: Finding[];
  checks: DetectorCheck[];
  sources: ClusterSources;
  /** The weights panel: configured/runtime/proposed, the last change at the balancer, the agent. */
  weights: WeightsState | null;
  /** The poll interval in force: the configured one, or longer while Fulcrum is overloaded. */
  intervalMs: number;
  /** Polls in a row that ran in time (a stretched interval shrinks after CALM_POLLS_TO_SHRINK). */
  calmPolls: number;
  /** Since when Fulcrum has been overloaded (stretched interval or late polls), null when not. */
  overloadSince: number | null;
}

export function sourceOk(t: number, latencyMs: number | null): SourceStatus {
  return { ok: true, error: null, lastOk: t, latencyMs };
}
export function sourceFailed(prev: SourceStatus | null, error: string, latencyMs: number | null): SourceStatus {
  return { ok: false, error, lastOk: prev?.lastOk ?? null, latencyMs };
}
const freshSource = (): SourceStatus => ({ ok: false, error: 'not polled yet', lastOk: null, latencyMs: null });

export function clusterStatus(members: MemberState[]): ClusterStatus {
  if (liveCount(members) === 0) return members.some((m) => m.status === 'down') ? 'down' : 'unknown';
  if (members.every((m) => m.status === 'up')) return 'ok';
  return 'degraded';
}

/** The state before the first poll. */
export function initialState(c: EngineConfig): EngineState {
  const n = c.cluster.endpoints.length;
  const b = c.cluster.balancer;
  const ref = c.balancerRef;
  return {
    ticks: 0,
    seq: 0,
    updatedAt: null,
    status: 'starting',
    members: c.cluster.endpoints.map((e) =>
      deriveMember({
        endpoint: e,
        prev: null,
        poll: null,
        failures: 0,
        downAfter: Infinity,
        knownMembers: [],
        clusterAlarms: null,
        prom: null,
        t: 0,
      }),
    ),
    knownMembers: [],
    failures: new Array(n).fill(0),
    excusedInRow: new Array(n).fill(0),
    promQuietUntil: new Array(n).fill(0),
    lastCounters: new Array(n).fill(null),
    deltas: Array.from({ length: n }, () => []),
    probes: Array.from({ length: n }, () => []),
    frames: [],
    events: [],
    scores: scoreDimensions(
      {
        up: new Array(n).fill(false),
        leader: -1,
        weights: c.weights,
        values: emptyDimRecord(() => new Array(n).fill(null)),
      },
      c.endpoints,
    ).scores,
    balancerSnaps: [],
    balancer: b && ref ? balancerView(ref.type, ref.backend, [], [], 'not polled yet', null) : null,
    tracker: emptyTracker(),
    findings: [],
    checks: [],
    sources: {
      etcd: c.has.etcd ? freshSource() : null,
      prometheus: c.has.prometheus ? freshSource() : null,
      balancer: c.has.balancer ? freshSource() : null,
      logs: c.has.logs ? freshSource() : null,
      engine: { ok: true, error: null, lastOk: null, latencyMs: null },
    },
    weights: null,
    intervalMs: c.pollIntervalMs,
    calmPolls: 0,
    overloadSince: null,
  };
}

/** What one poll says about Fulcrum's own timing (from `collect` and the scheduler). */
export interface PollTiming {
  /** Wall time of the collect step (ms). */
  durationMs: number;
  /** How long Fulcrum's event loop stalled during the collect step (ms). */
  stalledMs: number;
  /** How busy its event loop was meanwhile (0..1). */
  loopBusy: number;
  /** How much later than planned the poll started (ms). */
  startedLateMs: number;
}

export interface Overload {
  /** Fulcrum stalled: timeouts of this poll say nothing about the sources. */
  stalled: boolean;
  /** The interval for the next poll. */
  intervalMs: number;
  calmPolls: number;
  overloadSince: number | null;
  /** Why the schedule is degraded (null: it is not): the engine source's error and the log line. */
  cause: string | null;
  /** This poll ended an overload. */
  cleared: boolean;
}

const secs = (ms: number) => (ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 100) / 10} s`);

/**
 * Fulcrum's own lateness, and the interval that follows from it. Pure. A poll whose collect step
 * saw Fulcrum's event loop stall for a quarter of the interval (or that started half an interval
 * late) means Fulcrum is overloaded; a poll that takes longer than the interval can't keep it
 * either. Either doubles the interval (up to maxIntervalMs); CALM_POLLS_TO_SHRINK polls in time
 * in a row halve it again, down to the configured one. Any stall of stallToleranceMs or more
 * marks the poll `stalled`: its timeouts are not held against the sources.
 */
export function overloadOf(prev: EngineState, cfg: EngineConfig, p: PollTiming, t: number): Overload {
  // A short stall is enough to doubt a timeout. Falling behind is a stall of a quarter of the
  // interval or a start half an interval late while the loop had work all along (a loop that
  // stalls while idle is one the machine starved: a longer interval would not help), or a
  // poll longer than the interval.
  const stalled = p.stalledMs >= cfg.stallToleranceMs;
  const busy = p.loopBusy >= BUSY_LOOP;
  const behind = busy && p.stalledMs >= prev.intervalMs / 4;
  const startedLate = busy && p.startedLateMs >= Math.max(cfg.stallToleranceMs, prev.intervalMs / 2);
  const overran = p.durationMs > prev.intervalMs;
  let intervalMs = prev.intervalMs;
  let calmPolls = prev.calmPolls;
  if (behind || startedLate || overran) {
    calmPolls = 0;
    intervalMs = Math.min(cfg.maxIntervalMs, prev.intervalMs * 2);
  } else if (++calmPolls >= CALM_POLLS_TO_SHRINK && intervalMs > cfg.pollIntervalMs) {
    calmPolls = 0;
    intervalMs = Math.max(cfg.pollIntervalMs, Math.round(intervalMs / 2));
  }
  const degraded = behind || startedLate || overran || intervalMs > cfg.pollIntervalMs;
  let cause: string | null = null;
  if (degraded) {
    const why: string[] = [];
    if (behind) why.push(`its event loop stalled ${secs(p.stalledMs)} during the last poll`);
    if (startedLate) why.push(`the last poll started ${secs(p.startedLateMs)} late`);
    if (overran) why.push(`the last poll took ${secs(p.durationMs)} of a ${secs(prev.intervalMs)} interval`);
    const head = behind || startedLate ? 'Fulcrum is overloaded' : 'polls take longer than the interval';
    cause = why.length
      ? `${head}: ${why.join(', ')}; polling every ${secs(intervalMs)}` +
        (intervalMs > cfg.pollIntervalMs ? ` instead of ${secs(cfg.pollIntervalMs)} until it catches up` : '')
      : `Fulcrum is catching up after an overload; polling every ${secs(intervalMs)} instead of ${secs(cfg.pollIntervalMs)}`;
  }
  return {
    stalled,
    intervalMs,
    calmPolls,
    overloadSince: degraded ? (prev.overloadSince ?? t) : null,
    cause,
    cleared: !degraded && prev.overloadSince !== null,
  };
}

/** A poll crashed inside Fulcrum: the state stays, Fulcrum's own source says why. */
export function withInternalError(s: EngineState, message: string): EngineState {
  return { ...s, sources: { ...s.sources, engine: sourceFailed(s.sources.engine, message, null) } };
}

/** The Prometheus source's status after a call outside a poll (backfill). */
export function withPrometheusStatus(s: EngineState, status: SourceStatus): EngineState {
  return s.sources.prometheus ? { ...s, sources: { ...s.sources, prometheus: status } } : s;
}

/** Prometheus history before the first live frame, merged under the live frames. */
export function withBackfill(
  s: EngineState,
  c: EngineConfig,
  range: { timestamps: number[]; matrix: Parameters<typeof framesFromMatrix>[1] },
): { state: EngineState; added: number } {
  const old = framesFromMatrix(range.timestamps, range.matrix, c.weights, c.endpoints);
  const firstLive = s.frames[0]?.t ?? Infinity;
  const frames = pushAllCapped(
    old.filter((f) => f.t < firstLive),
    s.frames,
    c.historyCapacity,
  );
  return { state: { ...s, frames }, added: old.length };
}

/** The state as the API and the stream serve it. Arrays are copies: callers may not reach the engine's. */
export function toClusterState(s: EngineState, c: EngineConfig): ClusterState {
  return {
    name: c.name,
    seq: s.seq,
    updatedAt: s.updatedAt,
    pollIntervalMs: s.intervalMs,
    historyMs: c.historyMs,
    status: s.status,
    score: s.scores.requests.score,
    weighted: c.cluster.weighted,
    members: s.members,
    scores: s.scores,
    frames: s.frames.slice(),
    events: s.events.slice(),
    findings: s.findings,
    resolvedFindings: s.tracker.resolved.slice(),
    checks: s.checks,
    balancer: s.balancer,
    sources: structuredClone(s.sources),
    weights: s.weights,
  };
}

/** A stream's first state stays under this (JSON bytes), whatever the history holds. */
export const STREAM_STATE_BYTES = 96 * 1024;
/** Frames it carries: at most this many bytes of them, at least this few (a very large state still shows its last polls). */
export const STREAM_FRAME_BYTES = { max: 48 * 1024, min: 8 * 1024 };

/**
 * The state a stream starts with: the whole current state, but only the newest frames, as many
 * as fit in what is left of STREAM_STATE_BYTES (older history is the history API's: a view asks
 * for it when its range reaches further back).
 */
export function toStreamState(s: EngineState, c: EngineConfig): ClusterState {
  const head = toClusterState({ ...s, frames: [] }, c);
  const budget = Math.min(
    STREAM_FRAME_BYTES.max,
    Math.max(STREAM_FRAME_BYTES.min, STREAM_STATE_BYTES - JSON.stringify(head).length),
  );
  let bytes = 0;
  let i = s.frames.length;
  while (i > 0) {
    bytes += JSON.stringify(s.frames[i - 1]).length + 1;
    if (bytes > budget) break;
    i--;
  }
  return { ...head, frames: s.frames.slice(i) };
}

export function summaryOf(s: EngineState, c: EngineConfig): ClusterSummary {
  const leader = currentLeader(s.members);
  return {
    name: c.name,
    members: s.members.length,
    membersUp: liveCount(s.members),
    leader: leader ? leader.name : null,
    score: s.scores.requests.score,
    status: s.status,
    updatedAt: s.updatedAt,
    findings: s.findings.length,
  };
}

/**
 * The state for a new member list (`to.endpoints`, after discovery or a MemberList change):
 * members still there keep everything (counters, history, failures), new ones start fresh,
 * removed ones go; every history column is remapped to the new order (a new member's past is
 * unknown: null values, not up). Pure.
 */
export function withEndpoints(s: EngineState, from: EngineConfig, to: EngineConfig): EngineState {
  const old = to.endpoints.map((e) => from.endpoints.indexOf(e));
  const pick = <T>(xs: readonly T[], fresh: (j: number) => T): T[] => old.map((i, j) => (i >= 0 ? xs[i] : fresh(j)));
  const fresh = initialState(to);
  const remapLeader = (l: number) => (l >= 0 ? old.indexOf(l) : -1);
  const col = <T>(xs: readonly T[], empty: T): T[] => old.map((i) => (i >= 0 ? xs[i] : empty));
  const dims = <T>(r: Record<DimensionId, readonly T[]>, empty: T) =>
    emptyDimRecord((id) => col(r[id], empty)) as Record<DimensionId, T[]>;
  return {
    ...s,
    members: pick(s.members, (j) => fresh.members[j]),
    failures: pick(s.failures, () => 0),
    excusedInRow: pick(s.excusedInRow, () => 0),
    promQuietUntil: pick(s.promQuietUntil, () => 0),
    lastCounters: pick(s.lastCounters, () => null),
    deltas: pick(s.deltas, () => []),
    probes: pick(s.probes, () => []),
    // Recomputed by the next poll; a change being verified is dropped with the old member list.
    weights: null,
    frames: s.frames.map((f) => ({
      ...f,
      up: col(f.up, false),
      leader: remapLeader(f.leader),
      values: dims(f.values, null),
      shares: dims(f.shares, null),
      expected: dims(f.expected, null),
    })),
  };
}
