// One cluster's poll loop, history and hub. One instance per configured cluster, whatever the
// number of viewers. Polls never overlap: the next one is scheduled when the current one ends.
import { emptyDimRecord } from '../dimensions';
import type { MemberCounters } from '../analysis/counters';
import { detectEvents } from '../analysis/events';
import { buildFrame, framesFromMatrix, round4 } from '../analysis/frames';
import { currentLeader, isLive, leaderIndex, liveCount } from '../analysis/live';
import { diagnose } from '../analysis/diagnosis/detectors';
import { FindingTracker } from '../analysis/diagnosis/tracker';
import type { BalancerRef } from '../analysis/diagnosis/types';
import { deriveMember, type PromMemberView } from '../analysis/member';
import { diffCounters, type CounterDelta } from '../analysis/rates';
import { scoreDimensions } from '../analysis/score';
import { balancerView, memberSignals } from '../analysis/signals';
import { memberValues } from '../analysis/values';
import type { ClusterConfig, FulcrumConfig } from '../config/load';
import { EtcdMemberSource, type EtcdAlarm, type EtcdMemberInfo } from '../sources/etcd';
import { HaproxySource, type HaproxySnapshot } from '../sources/haproxy';
import { LogSignalWatcher } from '../logs/watch';
import { PrometheusSource } from '../sources/prometheus';
import { fetchClusterRange, fetchMembersNow } from '../sources/prometheus-queries';
import {
  DIMENSION_IDS,
  type ClusterDelta,
  type ClusterEvent,
  type ClusterState,
  type BalancerState,
  type ClusterStatus,
  type ClusterSummary,
  type DetectorCheck,
  type DimensionId,
  type DimensionScore,
  type Finding,
  type Frame,
  type MemberState,
  type SourceStatus,
} from '../types';
import { Hub } from './hub';
import type { LiveCluster } from './live';
import { Ring } from './ring';

/** What the engine reports to Fulcrum's own /api/metrics. */
export interface EngineTelemetry {
  /** Called once per poll with what the metrics need (not the whole state: no history copy). */
  pollDone(cluster: string, state: Pick<ClusterState, 'scores' | 'members' | 'findings'>, durationMs: number): void;
  sourceError(cluster: string, source: 'etcd' | 'prometheus' | 'balancer', member: string | null): void;
}

/** What the hub carries to stream subscribers. */
export type StreamMessage =
  | { type: 'delta'; delta: ClusterDelta }
  /** History changed in a way deltas can't say (a backfill): send the full state. */
  | { type: 'resync' }
  /** The server is shutting down: end the stream so clients reconnect elsewhere. */
  | { type: 'close' };

/** What the engine needs from a member source (EtcdMemberSource; a recording in replay tests). */
export type MemberSourceLike = Pick<EtcdMemberSource, 'endpoint' | 'poll' | 'close'>;
export type BalancerSourceLike = Pick<HaproxySource, 'poll'>;

export interface EngineOptions {
  /** Failed polls in a row before a member is called down (default 2). */
  downAfter?: number;
  /** Refresh the member list every N polls (default 30). */
  memberListEvery?: number;
  telemetry?: EngineTelemetry;
  now?: () => number;
  /** Replace the real sources (replaying recorded polls in tests). */
  memberSource?: (endpoint: ClusterConfig['endpoints'][number]) => MemberSourceLike;
  balancerSource?: BalancerSourceLike | null;
}

const MAX_EVENTS = 500;
/** Polls before asking Prometheus again about a member it reported down. */
const PROM_DOWN_QUIET_POLLS = 5;

function sourceOk(t: number, latencyMs: number): SourceStatus {
  return { ok: true, error: null, lastOk: t, latencyMs };
}
function sourceFailed(prev: SourceStatus, error: string, latencyMs: number | null): SourceStatus {
  return { ok: false, error, lastOk: prev.lastOk, latencyMs };
}
const freshSource = (): SourceStatus => ({ ok: false, error: 'not polled yet', lastOk: null, latencyMs: null });

export class ClusterEngine implements LiveCluster {
  readonly name: string;
  readonly source = 'direct' as const;
  readonly hub: Hub<StreamMessage>;
  readonly cluster: ClusterConfig;
  private readonly cfg: FulcrumConfig;
  private readonly opts: Required<Omit<EngineOptions, 'telemetry' | 'memberSource' | 'balancerSource'>> &
    Pick<EngineOptions, 'telemetry'>;
  private readonly sources: Array<MemberSourceLike | null>;
  private readonly prom: PrometheusSource | null;
  private readonly prevCounters: Array<MemberCounters | null>;
  private readonly prevPollT: Array<number | null>;
  private readonly deltas: Array<Ring<CounterDelta>>;
  private readonly failures: number[];
  /** Per member: the poll (tick) until which Prometheus is not asked about it again. */
  private readonly promQuietUntil: number[];
  private knownMembers: EtcdMemberInfo[] = [];
  private members: MemberState[];
  private frames: Ring<Frame>;
  private readonly events = new Ring<ClusterEvent>(MAX_EVENTS);
  private scores: Record<DimensionId, DimensionScore>;
  private status: ClusterStatus = 'starting';
  private seq = 0;
  private ticks = 0;
  private updatedAt: number | null = null;
  private sourceStatus: ClusterState['sources'];
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private inFlight: Promise<void> | null = null;
  private readonly balancerSource: BalancerSourceLike | null;
  private readonly balancerSnaps: Ring<HaproxySnapshot>;
  private balancer: BalancerState | null = null;
  private readonly tracker: FindingTracker;
  /** Tails the configured logs once per poll: signal counts become detector evidence. */
  private readonly logWatcher: LogSignalWatcher | null;
  private checks: DetectorCheck[] = [];
  /** Active findings (after hysteresis); published with every delta. */
  findings: Finding[] = [];

  constructor(cfg: FulcrumConfig, cluster: ClusterConfig, opts: EngineOptions = {}) {
    this.cfg = cfg;
    this.cluster = cluster;
    this.name = cluster.name;
    const { memberSource, balancerSource, ...rest } = opts;
    this.opts = { downAfter: 2, memberListEvery: 30, now: Date.now, ...rest };
    this.hub = new Hub<StreamMessage>(cfg.maxSubscribers);
    const n = cluster.endpoints.length;
    this.sources = cluster.endpoints.map((e) =>
      e.direct ? (memberSource ? memberSource(e) : new EtcdMemberSource(e, cluster, cfg.timeoutMs)) : null,
    );
    this.prom = cfg.prometheus
      ? new PrometheusSource(cfg.prometheus.url, cfg.prometheus.timeoutMs, cfg.prometheus.bearerToken)
      : null;
    this.prevCounters = new Array(n).fill(null);
    this.prevPollT = new Array(n).fill(null);
    this.deltas = Array.from(
      { length: n },
      () => new Ring<CounterDelta>(Math.max(cfg.scoreWindowPolls, cluster.thresholds.windowPolls, this.minutePolls())),
    );
    this.failures = new Array(n).fill(0);
    this.promQuietUntil = new Array(n).fill(0);
    this.frames = new Ring<Frame>(this.historyCapacity());
    this.members = cluster.endpoints.map((e) =>
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
    );
    this.scores = scoreDimensions(
      {
        up: new Array(n).fill(false),
        leader: -1,
        weights: this.weights(),
        values: emptyDimRecord(() => new Array(n).fill(null)),
      },
      this.endpoints(),
    ).scores;
    const b = cluster.balancer;
    this.balancerSource =
      balancerSource !== undefined
        ? balancerSource
        : b?.type === 'haproxy'
          ? new HaproxySource(b.runtimeApi, b.backend, cfg.timeoutMs, b.configFile ?? null)
          : null;
    this.balancerSnaps = new Ring<HaproxySnapshot>(cluster.thresholds.windowPolls);
    if (b)
      this.balancer = balancerView(
        b.type,
        b.type === 'haproxy' ? b.backend : (b.upstream ?? 'etcd'),
        [],
        [],
        b.type === 'haproxy' ? 'not polled yet' : 'NGINX: reading its config and logs is not supported yet',
        null,
      );
    const watcher = cluster.logs ? new LogSignalWatcher(cluster) : null;
    this.logWatcher = watcher?.enabled ? watcher : null;
    this.tracker = new FindingTracker(
      cluster.name,
      cluster.thresholds.raiseAfterPolls,
      cluster.thresholds.clearAfterPolls,
      this.historyMs,
    );
    this.sourceStatus = {
      etcd: freshSource(),
      prometheus: this.prom ? freshSource() : null,
      balancer: this.balancerSource ? freshSource() : null,
    };
  }

  /** Polls in one minute (leader changes and failure counters are per minute). */
  private minutePolls(): number {
    return Math.max(1, Math.ceil(60_000 / this.cfg.pollIntervalMs));
  }

  private balancerRef(): BalancerRef | null {
    const b = this.cluster.balancer;
    if (!b) return null;
    return b.type === 'haproxy'
      ? { type: 'haproxy', backend: b.backend, runtimeApi: b.runtimeApi }
      : { type: 'nginx', backend: b.upstream ?? 'etcd', runtimeApi: null };
  }

  get historyMs(): number {
    return this.cfg.historyMinutes * 60_000;
  }

  private historyCapacity(): number {
    return Math.max(10, Math.ceil(this.historyMs / this.cfg.pollIntervalMs));
  }

  private endpoints(): string[] {
    return this.cluster.endpoints.map((e) => e.url);
  }

  private weights(): number[] {
    return this.cluster.endpoints.map((e) => (this.cluster.weighted ? e.weight : 1));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.prom && this.cfg.prometheus?.backfill) void this.backfill();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => undefined);
    for (const s of this.sources) s?.close();
    await this.logWatcher?.close();
    this.hub.publish({ type: 'close' });
    this.hub.clear();
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      const started = this.opts.now();
      this.inFlight = this.tick()
        .catch((e) => {
          // A bug in a tick must not stop the loop; it shows as a source error.
          this.sourceStatus.etcd = sourceFailed(
            this.sourceStatus.etcd,
            `internal error: ${(e as Error).message}`,
            null,
          );
        })
        .finally(() => {
          this.inFlight = null;
          this.schedule(Math.max(0, this.cfg.pollIntervalMs - (this.opts.now() - started)));
        });
    }, delayMs);
    this.timer.unref?.();
  }

  /** One poll of every member, then analysis and publish. Public for tests. */
  async tick(): Promise<void> {
    const t = this.opts.now();
    this.ticks++;
    const listNow = this.ticks % this.opts.memberListEvery === 1 || this.knownMembers.length === 0;
    const balancerPoll = this.balancerSource
      ? this.balancerSource.poll().then(
          (snap) => ({ snap, error: null as string | null }),
          (e: Error) => ({ snap: null, error: e.message }),
        )
      : Promise.resolve(null);
    const [polls, bp] = await Promise.all([
      Promise.all(
        this.sources.map((s) =>
          s ? s.poll({ memberList: listNow, metrics: true }).catch(() => null) : Promise.resolve(null),
        ),
      ),
      balancerPoll,
      this.logWatcher?.poll(t).catch(() => null),
    ]);
    const n = polls.length;
    const answered = polls.map((p) => Boolean(p && (p.status || p.health)));
    answered.forEach((a, i) => {
      this.failures[i] = a ? 0 : this.failures[i] + 1;
      if (!a && this.sources[i]) this.opts.telemetry?.sourceError(this.name, 'etcd', this.cluster.endpoints[i].url);
    });
    for (const p of polls) if (p?.members) this.knownMembers = p.members;
    const clusterAlarms: EtcdAlarm[] | null = polls.find((p) => p?.alarms)?.alarms ?? null;

    // Members Fulcrum can't reach: ask Prometheus.
    // A directly polled member Prometheus just called down is not asked about again for a few
    // polls: a dead member would otherwise cost a dozen queries every poll.
    let promData: Awaited<ReturnType<typeof fetchMembersNow>> | null = null;
    const missing = answered.map((a, i) => (a || this.promQuietUntil[i] > this.ticks ? -1 : i)).filter((i) => i >= 0);
    if (this.prom && missing.length > 0) {
      const pt = this.opts.now();
      try {
        promData = await fetchMembersNow(this.prom, this.cluster, missing, this.cfg.prometheus!.rateWindow);
        for (const [i, r] of promData)
          if (!r.view.up && this.cluster.endpoints[i].direct)
            this.promQuietUntil[i] = this.ticks + PROM_DOWN_QUIET_POLLS;
        this.sourceStatus.prometheus = sourceOk(pt, this.opts.now() - pt);
      } catch (e) {
        this.sourceStatus.prometheus = sourceFailed(
          this.sourceStatus.prometheus!,
          (e as Error).message,
          this.opts.now() - pt,
        );
        this.opts.telemetry?.sourceError(this.name, 'prometheus', null);
      }
    } else if (this.prom && this.sourceStatus.prometheus && !this.sourceStatus.prometheus.ok && this.ticks % 10 === 1) {
      await this.checkPrometheus();
    }

    const restarted = new Set<string>();
    const instant = emptyDimRecord<(number | null)[]>(() => new Array(n).fill(null));
    const windowed = emptyDimRecord<(number | null)[]>(() => new Array(n).fill(null));
    const prevMembers = this.members;
    const members: MemberState[] = [];
    for (let i = 0; i < n; i++) {
      const poll = polls[i];
      const ep = this.cluster.endpoints[i];
      const pv: PromMemberView | null = promData?.get(i)?.view ?? null;
      const m = deriveMember({
        endpoint: ep,
        prev: prevMembers[i],
        poll,
        failures: this.failures[i],
        downAfter: this.opts.downAfter,
        knownMembers: this.knownMembers,
        clusterAlarms,
        prom: pv,
        t,
      });
      if (answered[i] && poll?.counters) {
        const pc = this.prevCounters[i];
        const pt = this.prevPollT[i];
        if (pc && pt !== null) {
          const d = diffCounters(pc, poll.counters, (poll.t - pt) / 1000);
          if (d.reset) restarted.add(ep.url);
          this.deltas[i].push(d);
        }
        this.prevCounters[i] = poll.counters;
        this.prevPollT[i] = poll.t;
        const last = this.deltas[i].last();
        const inst = memberValues(
          last && this.deltas[i].length && pc ? [last] : [],
          poll.counters,
          poll.status?.dbSize ?? null,
        );
        const win = memberValues(
          this.deltas[i].tail(this.cfg.scoreWindowPolls),
          poll.counters,
          poll.status?.dbSize ?? null,
        );
        for (const id of DIMENSION_IDS) {
          instant[id][i] = inst[id];
          windowed[id][i] = win[id];
        }
      } else if (m.source === 'prometheus') {
        const vals = promData?.get(i)?.values;
        for (const id of DIMENSION_IDS) {
          instant[id][i] = vals?.[id] ?? null;
          windowed[id][i] = vals?.[id] ?? null;
        }
      } else if (!answered[i]) {
        // Gone: its window restarts when it comes back (the restart shows as a counter reset).
        this.deltas[i].clear();
      }
      members.push(m);
    }

    const up = members.map(isLive);
    const leader = leaderIndex(members);
    const prevLeader = leaderIndex(prevMembers);
    const leaderMoved =
      leader >= 0 &&
      prevLeader >= 0 &&
      members[leader].raftIndex !== null &&
      prevMembers[prevLeader].raftIndex !== null &&
      members[leader].raftIndex !== prevMembers[prevLeader].raftIndex;
    members.forEach((m, i) => {
      const poll = polls[i];
      const appliedStalled =
        leaderMoved &&
        i !== leader &&
        answered[i] &&
        m.raftAppliedIndex !== null &&
        m.raftAppliedIndex === prevMembers[i].raftAppliedIndex;
      m.signals = answered[i]
        ? memberSignals({
            deltas: this.deltas[i].toArray(),
            windowPolls: this.cluster.thresholds.windowPolls,
            minutePolls: this.minutePolls(),
            scorePolls: this.cfg.scoreWindowPolls,
            latest: poll?.counters ?? null,
            revision: poll?.status?.revision ?? null,
            appliedStalled,
            prev: prevMembers[i].signals,
          })
        : { ...prevMembers[i].signals, appliedStalledPolls: 0 };
    });
    if (bp) {
      if (bp.snap) {
        this.balancerSnaps.push(bp.snap);
        this.sourceStatus.balancer = sourceOk(t, this.opts.now() - t);
      } else {
        this.sourceStatus.balancer = sourceFailed(this.sourceStatus.balancer!, bp.error ?? 'failed', null);
        this.opts.telemetry?.sourceError(this.name, 'balancer', null);
      }
      const b = this.cluster.balancer!;
      this.balancer = balancerView(
        'haproxy',
        b.type === 'haproxy' ? b.backend : 'etcd',
        bp.snap ? this.balancerSnaps.toArray() : [],
        members,
        bp.error,
        bp.snap ? t : (this.balancer?.checkedAt ?? null),
        this.cfg.scoreWindowPolls,
      );
    }
    const endpoints = this.endpoints();
    const weights = this.weights();
    const frame = buildFrame({ t, origin: 'poll', up, leader, weights, endpoints, values: instant });
    const scored = scoreDimensions(
      { up, leader, weights, weighted: this.cluster.weighted, values: windowed },
      endpoints,
    );
    members.forEach((m, i) => {
      for (const id of DIMENSION_IDS) {
        m.dims[id] = {
          value: round4(windowed[id][i]),
          share: round4(scored.shares[id][i]),
          expectedShare: round4(scored.expected[id][i]),
        };
      }
    });
    const newEvents = detectEvents(this.ticks === 1 ? null : prevMembers, members, t, restarted);
    if (this.ticks === 1) {
      // First poll: only say what is already wrong.
      for (let k = newEvents.length - 1; k >= 0; k--) if (newEvents[k].kind === 'member-up') newEvents.splice(k, 1);
    }
    for (const e of newEvents) this.events.push(e);

    const observedChanges = this.events
      .toArray()
      .filter((e) => e.kind === 'leader-change' && e.t > t - 60_000 && e.member !== null).length;
    const counted = members.map((m) => m.signals.leaderChanges).filter((x): x is number => x !== null);
    const diag = diagnose({
      cluster: this.name,
      t,
      pollIntervalMs: this.cfg.pollIntervalMs,
      members,
      scores: scored.scores,
      weighted: this.cluster.weighted,
      balancer: this.balancer,
      balancerRef: this.balancerRef(),
      leaderChangesLastMinute: counted.length || this.ticks > 1 ? Math.max(observedChanges, ...counted) : null,
      logSignals:
        this.logWatcher?.totals(Math.max(60_000, this.cluster.thresholds.windowPolls * this.cfg.pollIntervalMs), t) ??
        null,
      thresholds: this.cluster.thresholds,
    });
    this.findings = this.tracker.update(diag.candidates, t);
    this.checks = diag.checks;

    const anyAnswered = answered.some(Boolean);
    const durationMs = Math.max(0, ...polls.map((p) => p?.durationMs ?? 0));
    this.sourceStatus.etcd = anyAnswered
      ? sourceOk(t, durationMs)
      : sourceFailed(this.sourceStatus.etcd, 'no member answered', durationMs);

    this.members = members;
    this.scores = scored.scores;
    this.frames.push(frame);
    this.status = clusterStatus(members);
    this.seq++;
    this.updatedAt = t;
    const delta: ClusterDelta = {
      seq: this.seq,
      updatedAt: t,
      status: this.status,
      score: this.scores.requests.score,
      members,
      scores: this.scores,
      frame,
      events: newEvents,
      findings: this.findings,
      resolvedFindings: this.tracker.resolved(),
      checks: this.checks,
      balancer: this.balancer,
      sources: structuredClone(this.sourceStatus),
    };
    this.opts.telemetry?.pollDone(
      this.name,
      { scores: this.scores, members, findings: this.findings },
      this.opts.now() - t,
    );
    this.hub.publish({ type: 'delta', delta });
  }

  private async checkPrometheus(): Promise<void> {
    if (!this.prom || !this.sourceStatus.prometheus) return;
    const pt = this.opts.now();
    try {
      await this.prom.query('vector(1)');
      this.sourceStatus.prometheus = sourceOk(pt, this.opts.now() - pt);
    } catch (e) {
      this.sourceStatus.prometheus = sourceFailed(
        this.sourceStatus.prometheus,
        (e as Error).message,
        this.opts.now() - pt,
      );
    }
  }

  /** Fills the history window from Prometheus, before the first live frame. */
  async backfill(): Promise<number> {
    if (!this.prom || !this.cfg.prometheus) return 0;
    const to = this.opts.now();
    const from = to - this.historyMs;
    const stepS = this.stepFor(from, to, this.historyCapacity());
    const pt = this.opts.now();
    try {
      const { timestamps, matrix } = await fetchClusterRange(
        this.prom,
        this.cluster,
        from,
        to,
        stepS,
        this.cfg.prometheus.rateWindow,
      );
      const old = framesFromMatrix(timestamps, matrix, this.weights(), this.endpoints());
      const live = this.frames.toArray();
      const firstLive = live[0]?.t ?? Infinity;
      const merged = [...old.filter((f) => f.t < firstLive), ...live];
      const ring = new Ring<Frame>(this.historyCapacity());
      for (const f of merged.slice(-ring.capacity)) ring.push(f);
      this.frames = ring;
      this.sourceStatus.prometheus = sourceOk(pt, this.opts.now() - pt);
      if (old.length) this.hub.publish({ type: 'resync' });
      return old.length;
    } catch (e) {
      this.sourceStatus.prometheus = sourceFailed(
        this.sourceStatus.prometheus!,
        (e as Error).message,
        this.opts.now() - pt,
      );
      return 0;
    }
  }

  private stepFor(from: number, to: number, maxPoints: number): number {
    return Math.max(1, Math.ceil(this.cfg.pollIntervalMs / 1000), Math.ceil((to - from) / 1000 / maxPoints));
  }

  /**
   * Frames between two times (ms). Served from memory when it covers the range, otherwise
   * from Prometheus at a step that keeps at most `maxPoints` columns.
   */
  async history(
    from: number,
    toAsked: number,
    maxPoints = 1500,
  ): Promise<{ frames: Frame[]; source: 'memory' | 'prometheus'; error: string | null }> {
    // Nothing exists after now (Prometheus would carry the last values forward into the future).
    const to = Math.min(toAsked, this.opts.now());
    if (to <= from) return { frames: [], source: 'memory', error: null };
    const mem = this.frames.toArray();
    const covered = mem.length > 0 && mem[0].t <= from + this.cfg.pollIntervalMs;
    const inRange = (f: Frame) => f.t >= from && f.t <= to;
    if (covered || !this.prom || !this.cfg.prometheus) {
      return {
        frames: mem.filter(inRange),
        source: 'memory',
        error: covered
          ? null
          : this.prom
            ? null
            : 'range is older than the in-memory history and no Prometheus is configured',
      };
    }
    try {
      const stepS = this.stepFor(from, to, maxPoints);
      const { timestamps, matrix } = await fetchClusterRange(
        this.prom,
        this.cluster,
        from,
        to,
        stepS,
        this.cfg.prometheus.rateWindow,
      );
      return {
        frames: framesFromMatrix(timestamps, matrix, this.weights(), this.endpoints()),
        source: 'prometheus',
        error: null,
      };
    } catch (e) {
      return { frames: mem.filter(inRange), source: 'memory', error: (e as Error).message };
    }
  }

  state(): ClusterState {
    return {
      name: this.name,
      seq: this.seq,
      updatedAt: this.updatedAt,
      pollIntervalMs: this.cfg.pollIntervalMs,
      historyMs: this.historyMs,
      status: this.status,
      score: this.scores.requests.score,
      members: this.members,
      scores: this.scores,
      frames: this.frames.toArray(),
      events: this.events.toArray(),
      findings: this.findings,
      resolvedFindings: this.tracker.resolved(),
      checks: this.checks,
      balancer: this.balancer,
      sources: structuredClone(this.sourceStatus),
    };
  }

  summary(): ClusterSummary {
    const leader = currentLeader(this.members);
    return {
      name: this.name,
      members: this.members.length,
      membersUp: liveCount(this.members),
      leader: leader ? leader.name : null,
      score: this.scores.requests.score,
      status: this.status,
      updatedAt: this.updatedAt,
      findings: this.findings.length,
    };
  }
}

export function clusterStatus(members: MemberState[]): ClusterStatus {
  if (liveCount(members) === 0) return 'down';
  if (members.every((m) => m.status === 'up')) return 'ok';
  return 'degraded';
}
