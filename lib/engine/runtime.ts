// The process-wide Fulcrum runtime: config, one engine per cluster, the fleet, telemetry.
// Next.js may load this module more than once (instrumentation and route bundles are separate),
// so the single instance lives on globalThis: one poll loop per cluster per process, whatever
// loads it.
import { loadConfig, type FulcrumConfig } from '../config/load';
import { buildId } from '../fleet/build';
import { PrometheusFleet } from '../fleet/discovery';
import { Fleet } from '../fleet/fleet';
import type { ClusterSource } from '../fleet/types';
import { Telemetry } from '../telemetry/metrics';
import { WeightsAgent } from '../weights/agent';
import { ClusterEngine } from './cluster';
import type { LiveCluster } from './live';

export interface Runtime {
  config: FulcrumConfig;
  /** Every cluster by name: configured ones (polled) and, with discovery, ones read from Prometheus. */
  clusters: Map<string, LiveCluster>;
  fleet: Fleet;
  /** Clusters discovered in Prometheus and read from it (config `discovery.prometheus`), null when off. */
  discovery: PrometheusFleet | null;
  telemetry: Telemetry;
  /** The weights agent (config `weights.agent`), null when off (the default). */
  agent: WeightsAgent | null;
  startedAt: number;
  /** Starts every poll loop and the fleet tick. */
  start(): void;
  stop(): Promise<void>;
}

const KEY = Symbol.for('fulcrum.runtime');
type Holder = { [KEY]?: Runtime };

export function createRuntime(config: FulcrumConfig, opts: { defaultMetrics?: boolean } = {}): Runtime {
  const telemetry = new Telemetry({ defaultMetrics: opts.defaultMetrics });
  const clusters = new Map<string, LiveCluster>();
  const agentCfg = config.weights.agent;
  const agent = agentCfg
    ? new WeightsAgent(
        agentCfg,
        (name) => {
          const e = clusters.get(name);
          return e instanceof ClusterEngine ? e.weightsView() : null;
        },
        { telemetry },
      )
    : null;
  for (const c of config.clusters) {
    const served = agent && agentCfg?.clusters.includes(c.name);
    clusters.set(
      c.name,
      new ClusterEngine(config, c, { telemetry, agent: served ? { collect: () => agent.collect(c.name) } : null }),
    );
  }
  const fleet = new Fleet({
    clusters: () => clusters.values(),
    tickMs: config.pollIntervalMs,
    build: buildId(),
    maxSubscribers: config.maxSubscribers,
    onTick: (s) => {
      const bySource: Record<ClusterSource, number> = { direct: 0, prometheus: 0 };
      for (const c of clusters.values()) bySource[c.source]++;
      telemetry.fleetTickDone(s, bySource);
    },
  });
  const discovery =
    config.discovery && config.prometheus
      ? new PrometheusFleet({ config, discovery: config.discovery, clusters, telemetry })
      : null;
  return {
    config,
    clusters,
    fleet,
    discovery,
    telemetry,
    agent,
    startedAt: Date.now(),
    start() {
      for (const e of clusters.values()) e.start();
      void agent?.start();
      discovery?.start();
      fleet.start();
    },
    async stop() {
      fleet.stop();
      await agent?.stop();
      await discovery?.stop();
      await Promise.all([...clusters.values()].map((e) => e.stop()));
    },
  };
}

/** The running instance, created and started on first use (throws ConfigError on a bad config). */
export function getRuntime(): Runtime {
  const g = globalThis as Holder;
  if (!g[KEY]) {
    const rt = createRuntime(loadConfig());
    rt.start();
    g[KEY] = rt;
  }
  return g[KEY];
}

export function getRuntimeIfStarted(): Runtime | undefined {
  return (globalThis as Holder)[KEY];
}

/** For tests: install a runtime (or remove it). */
export function setRuntime(rt: Runtime | undefined): void {
  (globalThis as Holder)[KEY] = rt;
}
