// One cluster's poll loop, history and hub. One instance per configured cluster, whatever the
// number of viewers. Polls never overlap: the next one is scheduled when the current one ends.
//
// A poll is three steps, one module each:
//   collect (collect.ts)  sources only: plain results, a source's failure is a typed error;
//   advance (advance.ts)  pure: previous state + results + config + time -> next state + delta;
//   publish (publish.ts)  hub, telemetry, log.
// The engine holds the current EngineState (state.ts) and swaps it for the one advance returns.
import { framesFromMatrix } from '../analysis/frames';
import type { ClusterConfig, FulcrumConfig } from '../config/load';
import { LogSignalWatcher } from '../logs/watch';
import { EtcdMemberSource } from '../sources/etcd';
import { HaproxySource } from '../sources/haproxy';
import { NginxSource } from '../sources/nginx/source';
import { PrometheusSource } from '../sources/prometheus';
import { fetchClusterRange } from '../sources/prometheus-queries';
import type { ClusterSource } from '../fleet/types';
import type { ClusterState, ClusterSummary, Finding } from '../types';
import type { AgentCollected } from '../analysis/weights/view';
import type { AgentClusterView } from '../weights/agent';
import { advance } from './advance';
import {
  type BalancerSourceLike,
  type Collected,
  collect,
  type MemberSourceLike,
  planCollect,
  type PromMemberNow,
  type Sources,
  type Timed,
} from './collect';
import { HistoryCache } from './history';
import { Hub } from './hub';
import { endpointsFromMembers, sameEndpoints } from './membership';
import type { HistoryAnswer, LiveCluster } from './live';
import { type LagSource, loopLag } from './lag';
import { RateLimitedLog } from './log';
import { type EngineTelemetry, publish, type StreamMessage } from './publish';
import { pollPhaseMs } from './phase';
import {
  type EngineConfig,
  type EngineState,
  engineConfig,
  initialState,
  sourceFailed,
  sourceOk,
  summaryOf,
  toClusterState,
  toStreamState,
  withBackfill,
  withEndpoints,
  withInternalError,
  withPrometheusStatus,
} from './state';

export type { BalancerSourceLike, MemberSourceLike } from './collect';
export type { EngineTelemetry, StreamMessage } from './publish';
export { clusterStatus } from './state';

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
  /** Where rate-limited log lines go (default: stderr, one per cluster and cause per minute). */
  log?: RateLimitedLog;
  /** `prometheus`: a cluster read from Prometheus only (discovered), fed by the fleet (default `direct`). */
  source?: ClusterSource;
  /**
   * Fed from outside (`feed`): no poll loop and no backfill of its own. A discovered cluster is
   * fed by the fleet's Prometheus tick, which reads every discovered cluster in a few queries.
   */
  fed?: boolean;
  /** How Fulcrum's own event-loop stalls are measured (default: the process's sampler). */
  lag?: LagSource;
  /** The weights agent's report for this cluster, read by every poll (lib/weights/agent.ts). */
  agent?: { collect(): AgentCollected | null } | null;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A `discover: true` cluster asks for the member list this often (polls): membership changes show soon. */
export const DISCOVER_MEMBER_LIST_EVERY = 5;
/** Deadline of a Prometheus range query (backfill, history): longer than a poll's, as it reads minutes to days. */
export const RANGE_TIMEOUT_MS = 15_000;
/** A failed backfill is tried again after this, then twice as long, up to BACKFILL_ATTEMPTS tries. */
const BACKFILL_RETRY_MS = 5_000;
const BACKFILL_ATTEMPTS = 5;

export class ClusterEngine implements LiveCluster {
  readonly name: string;
  readonly source: ClusterSource;
  readonly hub: Hub<StreamMessage>;
  private clusterCfg: ClusterConfig;
  private readonly cfg: FulcrumConfig;
  /** What the pure steps read from the config. */
  private engineCfg: EngineConfig;
  private readonly sources: Sources;
  private readonly opts: EngineOptions;
  /** The configured endpoint of a `discover: true` cluster: asked until the member list is known. */
  private readonly seed: ClusterConfig['endpoints'][number];
  private readonly now: () => number;
  private readonly telemetry: EngineTelemetry | undefined;
  private readonly log: RateLimitedLog;
  /** The engine's whole memory between polls: replaced, never changed in place. */
  private st: EngineState;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly lag: LagSource;
  /** How late the scheduled poll that is about to run started (ms). */
  private startedLateMs = 0;
  private inFlight: Promise<void> | null = null;

  constructor(cfg: FulcrumConfig, cluster: ClusterConfig, opts: EngineOptions = {}) {
    this.cfg = cfg;
    this.clusterCfg = cluster;
    this.opts = opts;
    this.source = opts.source ?? 'direct';
    this.seed = cluster.endpoints[0];
    this.name = cluster.name;
    this.now = opts.now ?? Date.now;
    this.telemetry = opts.telemetry;
    this.log = opts.log ?? new RateLimitedLog();
    this.lag = opts.lag ?? loopLag;
    this.hub = new Hub<StreamMessage>(cfg.maxSubscribers);
    const b = cluster.balancer;
    const watcher = cluster.logs ? new LogSignalWatcher(cluster) : null;
    this.sources = {
      members: cluster.endpoints.map((e) => this.memberSource(e)),
      prometheus: cfg.prometheus
        ? new PrometheusSource(cfg.prometheus.url, cfg.prometheus.timeoutMs, cfg.prometheus.bearerToken, {
            onCall: () => opts.telemetry?.prometheusQuery?.(this.source === 'prometheus' ? 'discovered' : 'cluster'),
          })
        : null,
      balancer:
        opts.balancerSource !== undefined
          ? opts.balancerSource
          : b?.type === 'haproxy'
            ? new HaproxySource(b.runtimeApi, b.backend, cfg.timeoutMs, b.configFile ?? null)
            : b?.type === 'nginx'
              ? new NginxSource(b, cfg.timeoutMs)
              : null,
      logs: watcher?.enabled ? watcher : null,
      agent: opts.agent ?? null,
    };
    this.engineCfg = engineConfig(cfg, cluster, {
      downAfter: opts.downAfter ?? 2,
      memberListEvery: opts.memberListEvery ?? (cluster.discover ? DISCOVER_MEMBER_LIST_EVERY : 30),
      has: {
        etcd: this.sources.members.some((s) => s !== null),
        prometheus: this.sources.prometheus !== null,
        balancer: this.sources.balancer !== null,
        logs: this.sources.logs !== null,
      },
    });
    this.st = initialState(this.engineCfg);
    this.historyCache = this.newHistoryCache();
  }

  /** The cluster's config (its endpoints change with discovery or a MemberList change). */
  get cluster(): ClusterConfig {
    return this.clusterCfg;
  }

  /** What the pure steps read from the config. */
  get config(): EngineConfig {
    return this.engineCfg;
  }

  private memberSource(e: ClusterConfig['endpoints'][number]): MemberSourceLike | null {
    if (!e.direct) return null;
    return this.opts.memberSource
      ? this.opts.memberSource(e)
      : new EtcdMemberSource(e, this.clusterCfg, this.cfg.timeoutMs);
  }

  /**
   * A new member list (discovery, or etcd's MemberList): members still there keep their state and
   * history, new ones start fresh, removed ones' sources are closed. Streams get the full state.
   */
  setEndpoints(cluster: ClusterConfig): void {
    const before = this.engineCfg.endpoints;
    const after = cluster.endpoints.map((e) => e.url);
    if (before.length === after.length && before.every((e, i) => e === after[i])) {
      // Same members: only labels or the like changed.
      this.clusterCfg = cluster;
      this.engineCfg = { ...this.engineCfg, cluster };
      return;
    }
    const from = this.engineCfg;
    this.clusterCfg = cluster;
    this.engineCfg = engineConfig(this.cfg, cluster, {
      downAfter: from.downAfter,
      memberListEvery: from.memberListEvery,
      has: from.has,
    });
    const old = new Map(before.map((url, i) => [url, this.sources.members[i]]));
    this.sources.members = cluster.endpoints.map((e) => {
      const s = old.get(e.url);
      old.delete(e.url);
      return s !== undefined ? s : this.memberSource(e);
    });
    for (const s of old.values()) s?.close();
    this.st = withEndpoints(this.st, from, this.engineCfg);
    this.hub.publish({ type: 'resync' });
  }

  /**
   * One step of a fed cluster: what Prometheus said about its members (by endpoint index), then
   * the same advance and publish as a poll.
   */
  feed(t: number, prom: Timed<ReadonlyMap<number, PromMemberNow>>): void {
    const collected: Collected = {
      members: this.engineCfg.endpoints.map(() => null),
      prometheus: { kind: 'members', ...prom },
      balancer: null,
      logs: null,
      // The fleet's tick runs the queries and keeps its own schedule (ticks never overlap): how
      // long Prometheus took is the fleet's timing (its tick says), not this cluster overrunning
      // a poll interval of its own.
      durationMs: 0,
      stalledMs: 0,
      loopBusy: 0,
      startedLateMs: 0,
    };
    try {
      const result = advance(this.st, collected, this.engineCfg, t);
      this.st = result.state;
      publish(
        { hub: this.hub, telemetry: this.telemetry, log: this.log },
        this.engineCfg,
        collected,
        result,
        this.now() - t,
        this.now(),
      );
    } catch (e) {
      this.internalError(e);
    }
  }

  get historyMs(): number {
    return this.config.historyMs;
  }

  /** Active findings (after hysteresis); published with every delta. */
  get findings(): Finding[] {
    return this.st.findings;
  }
  /** For tests: replace the active findings until the next poll. */
  set findings(f: Finding[]) {
    this.st = { ...this.st, findings: f };
  }

  start(): void {
    if (this.running || this.opts.fed) return;
    this.running = true;
    this.lag.acquire();
    if (this.sources.prometheus && this.cfg.prometheus?.backfill) void this.backfill();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    if (this.running) this.lag.release();
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => undefined);
    for (const s of this.sources.members) s?.close();
    await this.sources.logs?.close();
    await this.sources.balancer?.close?.();
    this.hub.publish({ type: 'close' });
    this.hub.clear();
  }

  /** The polls moved to this cluster's phase (after the first poll). */
  private phased = false;

  private schedule(delayMs: number): void {
    if (!this.running) return;
    // Wall clock on purpose: lateness is this process's, whatever clock the engine reads.
    const due = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.startedLateMs = Math.max(0, Date.now() - due);
      const started = this.now();
      this.inFlight = this.tick().finally(() => {
        this.inFlight = null;
        // The interval in force: the configured one, or longer while Fulcrum is overloaded. The
        // first poll runs at once (a page has data at start); the second moves to the cluster's
        // own phase within the interval, so many clusters don't poll at the same instant.
        const phase = this.phased ? 0 : pollPhaseMs(this.name, this.st.intervalMs);
        this.phased = true;
        this.schedule(Math.max(0, this.st.intervalMs - (this.now() - started)) + phase);
      });
    }, delayMs);
    this.timer.unref?.();
  }

  /**
   * One poll: collect, advance, publish. Public for tests. Never rejects: a crash inside it is
   * Fulcrum's own fault and shows as the `engine` source failing (and in the log and metrics),
   * never as a source being down.
   */
  async tick(): Promise<void> {
    const t = this.now();
    try {
      const config = this.config;
      const collected = await collect(this.sources, planCollect(this.st, config), this.st, config, t, this.now, {
        lag: this.lag,
        startedLateMs: this.startedLateMs,
      });
      this.startedLateMs = 0;
      // The member list changed while this poll ran: its answers are in the old order, drop them.
      if (config !== this.config) return;
      // The state is read again after the await: a backfill may have replaced it meanwhile.
      const result = advance(this.st, collected, this.config, t);
      this.st = result.state;
      publish(
        { hub: this.hub, telemetry: this.telemetry, log: this.log },
        this.config,
        collected,
        result,
        this.now() - t,
        this.now(),
      );
      if (this.clusterCfg.discover) this.followMembers();
    } catch (e) {
      this.internalError(e);
    }
  }

  /** `discover: true`: poll the members etcd's member list names (the seed until it is known). */
  private followMembers(): void {
    const next = endpointsFromMembers(this.clusterCfg, this.seed, this.st.knownMembers);
    if (next && !sameEndpoints(next, this.clusterCfg.endpoints))
      this.setEndpoints({ ...this.clusterCfg, endpoints: next });
  }

  private internalError(e: unknown): void {
    const message = `internal error: ${errorText(e)}`;
    const wasOk = this.st.sources.engine.ok;
    this.st = withInternalError(this.st, message);
    this.telemetry?.internalError(this.name);
    const stack = e instanceof Error && e.stack ? `\n${e.stack}` : '';
    this.log.warn(
      `${this.name}\u0000internal`,
      `cluster ${this.name}: poll failed inside Fulcrum: ${message}${stack}`,
      this.now(),
    );
    // Viewers learn it from the full state: a delta needs a poll's frame.
    if (wasOk) this.hub.publish({ type: 'resync' });
  }

  /**
   * Fills the history window from Prometheus, before the first live frame. Range queries get a
   * deadline of their own (RANGE_TIMEOUT_MS: a poll's is far too short for minutes of history on a
   * busy server); a failure is logged and retried (BACKFILL_RETRY_MS, doubling) while polling runs.
   */
  async backfill(attempt = 0): Promise<number> {
    const prom = this.sources.prometheus;
    if (!prom || !this.cfg.prometheus) return 0;
    const to = this.now();
    const from = to - this.historyMs;
    const stepS = this.stepFor(from, to, this.config.historyCapacity);
    const pt = this.now();
    try {
      const range = await this.range(prom, this.cfg.prometheus.rateWindow, from, to, stepS);
      const r = withBackfill(this.st, this.config, range);
      this.st = withPrometheusStatus(r.state, sourceOk(pt, this.now() - pt));
      if (r.added) this.hub.publish({ type: 'resync' });
      return r.added;
    } catch (e) {
      const why = errorText(e);
      this.st = withPrometheusStatus(this.st, sourceFailed(this.st.sources.prometheus, why, this.now() - pt));
      const retryMs = BACKFILL_RETRY_MS * 2 ** attempt;
      const retry = this.running && attempt < BACKFILL_ATTEMPTS - 1;
      this.log.warn(
        `${this.name}\u0000backfill`,
        `cluster ${this.name}: Prometheus backfill failed: ${why}${retry ? `; retrying in ${retryMs / 1000} s` : ''}`,
        this.now(),
      );
      if (retry) {
        const timer = setTimeout(() => {
          if (this.running) void this.backfill(attempt + 1);
        }, retryMs);
        timer.unref?.();
      }
      return 0;
    }
  }

  /** One range query for this cluster, with the range queries' own deadline (backfill and history). */
  private range(
    prom: NonNullable<typeof this.sources.prometheus>,
    rateWindow: string,
    from: number,
    to: number,
    stepS: number,
  ) {
    return fetchClusterRange(prom, this.cluster, from, to, stepS, rateWindow, RANGE_TIMEOUT_MS);
  }

  private stepFor(from: number, to: number, maxPoints: number): number {
    return Math.max(1, Math.ceil(this.cfg.pollIntervalMs / 1000), Math.ceil((to - from) / 1000 / maxPoints));
  }

  /** Range answers shared by every viewer (see history.ts). */
  private readonly historyCache: HistoryCache;

  private newHistoryCache(): HistoryCache {
    return new HistoryCache({
      now: () => this.now(),
      pollIntervalMs: this.cfg.pollIntervalMs,
      memory: () => ({ key: this.st.frames, frames: this.st.frames }),
      fetchRange: this.sources.prometheus
        ? async (from, to, stepS) => {
            const prom = this.sources.prometheus;
            if (!prom || !this.cfg.prometheus) return [];
            const c = this.config;
            const { timestamps, matrix } = await this.range(prom, this.cfg.prometheus.rateWindow, from, to, stepS);
            return framesFromMatrix(timestamps, matrix, c.weights, c.endpoints);
          }
        : null,
    });
  }

  /**
   * Frames between two times (ms). Served from memory when it covers the range, otherwise from
   * Prometheus at a step that keeps at most `maxPoints` columns; the same range asked by many
   * viewers is one set of Prometheus queries per step (see history.ts).
   */
  history(from: number, toAsked: number, maxPoints = 1500): Promise<HistoryAnswer> {
    return this.historyCache.get(from, toAsked, maxPoints);
  }

  state(): ClusterState {
    return toClusterState(this.st, this.config);
  }

  /** What the weights agent reads at each check: no copies (it only reads). */
  weightsView(): AgentClusterView {
    return {
      updatedAt: this.st.updatedAt,
      pollIntervalMs: this.cfg.pollIntervalMs,
      members: this.st.members,
      weights: this.st.weights,
    };
  }

  private streamMemo: { st: EngineState; state: ClusterState } | null = null;

  /**
   * The state a stream starts with: everything but older frames (a recent window, see
   * toStreamState). The same object until the state changes, so a stream encodes it once for
   * every viewer that connects meanwhile (a reconnect storm costs one encoding per poll).
   */
  streamState(): ClusterState {
    if (this.streamMemo?.st !== this.st) this.streamMemo = { st: this.st, state: toStreamState(this.st, this.config) };
    return this.streamMemo.state;
  }

  summary(): ClusterSummary {
    return summaryOf(this.st, this.config);
  }
}
