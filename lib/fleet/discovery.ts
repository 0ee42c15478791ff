// Clusters found in Prometheus, read from Prometheus only. One loop for all of them: every
// `interval` a few queries for the whole fleet (one per dimension, one for status and signals,
// and every `refresh` the discovery query), then each discovered cluster advances through the
// same engine steps as a polled one (advance: scores, events, detectors, hysteresis; publish:
// its own stream), so its cluster page, stream, history and snapshots work as for any cluster.
import type { ClusterConfig, DiscoveryConfig, FulcrumConfig } from '../config/load';
import { ClusterEngine } from '../engine/cluster';
import type { PromMemberNow } from '../engine/collect';
import type { LiveCluster } from '../engine/live';
import { RateLimitedLog } from '../engine/log';
import type { EngineTelemetry } from '../engine/publish';
import { PrometheusSource, type PromSeries, promString } from '../sources/prometheus';
import {
  type DiscoveredCluster,
  type Discovery,
  discover,
  discoveredClusterSelector,
  FLEET_QUERIES_PER_REFRESH_TICK,
  fetchFleetNow,
  fleetSelector,
  SLOW_PARTS,
  type SkipReason,
  type SlowPart,
} from '../sources/prometheus-fleet';
import type { QueryRunner } from '../sources/prometheus-queries';
import { RECORDED_IDS, type RecordedId, recordedPresent, recordedPresentQuery } from '../sources/prometheus-recorded';

export interface DiscoveryTelemetry extends EngineTelemetry {
  discoveryDone?(durationMs: number, skipped: Record<SkipReason, number> | null): void;
}

export interface PrometheusFleetOptions {
  config: FulcrumConfig;
  discovery: DiscoveryConfig;
  /** The runtime's clusters: discovered ones are added and removed here. */
  clusters: Map<string, LiveCluster>;
  telemetry?: DiscoveryTelemetry;
  now?: () => number;
  /** Replace Prometheus (tests). */
  prom?: QueryRunner;
  /** Where log lines go (default stderr). */
  logLine?: (line: string) => void;
}

export interface PrometheusFleetTick {
  t: number;
  durationMs: number;
  /** Of which waiting for Prometheus' answers (the fleet's queries, and on a refresh tick the discovery's). */
  prometheusMs: number;
  /** Queries this tick sent (the fleet's, plus discovery when it ran). */
  queries: number;
  discovered: boolean;
  clusters: number;
  /** Metrics read from Fulcrum's recorded series (the rest from the raw series). */
  recorded: RecordedId[];
  error: string | null;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * One log for every discovered cluster: when Prometheus fails, it fails for all of them at once,
 * and that is one line a minute (with how many were held back), not one per cluster.
 */
class FleetLog extends RateLimitedLog {
  override warn(key: string, text: string, now: number): boolean {
    const cause = key.split('\u0000')[1] ?? key;
    return super.warn(`discovered\u0000${cause}`, `discovered clusters: ${text}`, now);
  }
}

/** A discovered cluster as a cluster config: members read from Prometheus only, global thresholds. */
export function discoveredClusterConfig(c: DiscoveredCluster, d: DiscoveryConfig, cfg: FulcrumConfig): ClusterConfig {
  return {
    name: c.name,
    labels: c.labels,
    endpoints: c.members.map((m) => ({ url: m, name: m, weight: 1, instance: m, direct: false, metricsUrl: null })),
    weighted: false,
    discover: false,
    tls: null,
    auth: null,
    prometheus: { instanceLabel: d.memberLabel, selector: discoveredClusterSelector(d, c.name) },
    balancer: null,
    logs: null,
    thresholds: cfg.diagnosis,
  };
}

export class PrometheusFleet {
  private readonly d: DiscoveryConfig;
  private readonly cfg: FulcrumConfig;
  /** The config discovered clusters run with: their poll interval is the fleet's interval. */
  private readonly clusterCfg: FulcrumConfig;
  private readonly fleetProm: QueryRunner;
  private readonly discoveryProm: QueryRunner;
  private readonly engines = new Map<string, ClusterEngine>();
  private readonly now: () => number;
  private lastDiscoveryAt = -Infinity;
  private queries = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private inFlight: Promise<unknown> | null = null;
  /** Metrics whose recorded series (Fulcrum's recording rules) Prometheus has for the fleet. */
  private recorded: ReadonlySet<RecordedId> = new Set();
  /** The last slow answers (quota, version, signals), one part renewed per tick. */
  private slowSeries: PromSeries[] = [];
  /** Which slow part the next tick asks for. */
  private slowTurn = 0;
  private readonly log: FleetLog;
  /** The last discovery's answer (null before the first). */
  lastDiscovery: Discovery | null = null;
  lastTick: PrometheusFleetTick | null = null;

  constructor(private readonly opts: PrometheusFleetOptions) {
    this.d = opts.discovery;
    this.log = new FleetLog(60_000, opts.logLine);
    this.cfg = opts.config;
    const p = opts.config.prometheus;
    // A fleet's answers are larger than one cluster's: a longer deadline, still below the interval.
    const timeoutMs = p ? Math.max(p.timeoutMs, Math.floor(opts.discovery.intervalMs * 0.8)) : 0;
    this.clusterCfg = {
      ...opts.config,
      pollIntervalMs: opts.discovery.intervalMs,
      prometheus: p ? { ...p, timeoutMs } : null,
    };
    this.now = opts.now ?? Date.now;
    const counted = (purpose: 'fleet' | 'discovery'): QueryRunner => {
      if (opts.prom) {
        const inner = opts.prom;
        return {
          query: (q, t) => {
            this.queries++;
            opts.telemetry?.prometheusQuery?.(purpose);
            return inner.query(q, t);
          },
          queryRange: (...a) => inner.queryRange(...a),
        };
      }
      if (!p) throw new Error('discovery.prometheus needs prometheus.url');
      return new PrometheusSource(p.url, timeoutMs, p.bearerToken, {
        onCall: () => {
          this.queries++;
          opts.telemetry?.prometheusQuery?.(purpose);
        },
      });
    };
    this.fleetProm = counted('fleet');
    this.discoveryProm = counted('discovery');
  }

  /** Names of the discovered clusters now. */
  names(): string[] {
    return [...this.engines.keys()];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = () => {
      if (!this.running) return;
      const started = this.now();
      this.inFlight = this.tick().finally(() => {
        this.inFlight = null;
        if (!this.running) return;
        this.timer = setTimeout(loop, Math.max(0, this.d.intervalMs - (this.now() - started)));
        this.timer.unref?.();
      });
    };
    this.timer = setTimeout(loop, 0);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => undefined);
    for (const name of [...this.engines.keys()]) await this.remove(name);
  }

  /**
   * One fleet tick: discovery when due, the fleet's queries, every discovered cluster advanced.
   * Public for tests. A refresh tick sends the discovery and the fleet's queries together (the
   * fleet's answers cover every cluster, so a cluster found by this discovery is fed from them
   * too); only the first tick, with nothing known yet, waits for the discovery first.
   */
  async tick(): Promise<PrometheusFleetTick> {
    const t = this.now();
    const q0 = this.queries;
    const errors: string[] = [];
    let discovered = false;
    const refresh = t - this.lastDiscoveryAt >= this.d.refreshMs || this.lastDiscovery === null;
    const discovery = async () => {
      try {
        const configured = new Set(this.cfg.clusters.map((c) => c.name));
        const [found] = await Promise.all([discover(this.discoveryProm, this.d, configured), this.findRecorded(t)]);
        return found;
      } catch (e) {
        // Keep what was discovered before; try again next tick.
        errors.push(`discovery: ${errorText(e)}`);
        return null;
      }
    };
    // What moves slowly: all of it until it has been read once, then one part per tick in turn.
    const slowParts: readonly SlowPart[] =
      this.slowSeries.length === 0 ? SLOW_PARTS : [SLOW_PARTS[this.slowTurn % SLOW_PARTS.length]];
    const fetching = () =>
      fetchFleetNow(this.fleetProm, this.d, this.rateWindow(), {
        slowParts,
        slowSeries: this.slowSeries,
        recorded: this.recorded,
      }).then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, error: errorText(e) }),
      );
    const at = this.now();
    let found: Discovery | null = null;
    let answers: Awaited<ReturnType<typeof fetching>> | null = null;
    if (refresh && this.engines.size > 0) [found, answers] = await Promise.all([discovery(), fetching()]);
    else if (refresh) found = await discovery();
    if (found) {
      this.apply(found);
      this.lastDiscoveryAt = t;
      discovered = true;
    }
    if (answers === null && this.engines.size > 0) answers = await fetching();
    const promMs = this.now() - at;
    if (answers?.ok) {
      this.slowTurn++;
      this.slowSeries = answers.r.slowSeries;
      const data = answers.r.members(
        [...this.engines.values()].map((e) => ({ name: e.name, members: e.config.endpoints })),
      );
      for (const e of this.engines.values()) {
        const members = data.get(e.name);
        const byIndex = new Map<number, PromMemberNow>();
        e.config.endpoints.forEach((m, i) => {
          const v = members?.get(m);
          if (v) byIndex.set(i, v);
        });
        e.feed(t, { at, latencyMs: promMs, result: { ok: true, value: byIndex } });
      }
    } else if (answers) {
      errors.push(answers.error);
      for (const eng of this.engines.values())
        eng.feed(t, { at, latencyMs: promMs, result: { ok: false, error: answers.error } });
    }
    const tick: PrometheusFleetTick = {
      t,
      durationMs: this.now() - t,
      prometheusMs: promMs,
      queries: this.queries - q0,
      discovered,
      clusters: this.engines.size,
      recorded: [...this.recorded],
      error: errors.length ? errors.join('; ') : null,
    };
    this.lastTick = tick;
    this.opts.telemetry?.discoveryDone?.(tick.durationMs, discovered ? (this.lastDiscovery?.skipped ?? null) : null);
    return tick;
  }

  /**
   * Which of Fulcrum's recorded series (its recording rules) Prometheus has for this fleet; the
   * fleet's queries read those instead of the raw series. A failed look keeps the last answer.
   */
  private async findRecorded(now: number): Promise<void> {
    const w = this.rateWindow();
    let next: Set<RecordedId>;
    try {
      // The rules cover every etcd target (they have no selector): one known cluster's series tell
      // (a look over the whole fleet costs Prometheus ~100 ms at 2,500 targets); none known yet, the fleet's.
      const one = this.engines.keys().next().value;
      const sel = [fleetSelector(this.d), ...(one ? [`${this.d.clusterLabel}=${promString(one)}`] : [])].join(',');
      const series = await this.discoveryProm.query(recordedPresentQuery(sel, w));
      next = recordedPresent(
        series.map((s) => s.metric.__name__),
        w,
      );
    } catch {
      return;
    }
    const same = next.size === this.recorded.size && [...next].every((id) => this.recorded.has(id));
    if (same) return;
    this.recorded = next;
    this.log.warn(
      'fleet\u0000recorded',
      next.size
        ? `reading Fulcrum's recorded series for ${[...next].join(', ')} (the recording rules of GET /api/rules)${
            next.size < RECORDED_IDS.length
              ? `; the raw series for ${RECORDED_IDS.filter((id) => !next.has(id)).join(', ')}`
              : ''
          }`
        : "reading the raw series (no recorded series of Fulcrum's recording rules found: see GET /api/rules for a large fleet)",
      now,
    );
  }

  private rateWindow(): string {
    return this.cfg.prometheus?.rateWindow ?? '30s';
  }

  /** New clusters start, changed ones take their new members and labels, gone ones stop. */
  private apply(found: Discovery): void {
    this.lastDiscovery = found;
    const seen = new Set<string>();
    for (const c of found.clusters) {
      // A configured cluster with this name wins (it may have been added to the config's map since).
      const existing = this.opts.clusters.get(c.name);
      if (existing && !this.engines.has(c.name)) continue;
      seen.add(c.name);
      const cluster = discoveredClusterConfig(c, this.d, this.cfg);
      const e = this.engines.get(c.name);
      if (e) e.setEndpoints(cluster);
      else {
        const engine = new ClusterEngine(this.clusterCfg, cluster, {
          source: 'prometheus',
          fed: true,
          downAfter: 1,
          telemetry: this.opts.telemetry,
          log: this.log,
          now: this.now,
        });
        this.engines.set(c.name, engine);
        this.opts.clusters.set(c.name, engine);
      }
    }
    for (const name of [...this.engines.keys()]) if (!seen.has(name)) void this.remove(name);
  }

  private async remove(name: string): Promise<void> {
    const e = this.engines.get(name);
    if (!e) return;
    this.engines.delete(name);
    if (this.opts.clusters.get(name) === e) this.opts.clusters.delete(name);
    this.opts.telemetry?.clusterGone?.(name);
    await e.stop();
  }
}

/** Queries one Prometheus fleet tick sends at most (a refresh tick: discovery and the slow status query too). */
export const MAX_FLEET_QUERIES_PER_TICK = FLEET_QUERIES_PER_REFRESH_TICK;
