// The process-wide Fulcrum runtime: config, one engine per cluster, telemetry. Next.js may load
// this module more than once (instrumentation and route bundles are separate), so the single
// instance lives on globalThis: one poll loop per cluster per process, whatever loads it.
import { loadConfig, type FulcrumConfig } from '../config/load';
import { Telemetry } from '../telemetry/metrics';
import { ClusterEngine } from './cluster';

export interface Runtime {
  config: FulcrumConfig;
  clusters: Map<string, ClusterEngine>;
  telemetry: Telemetry;
  startedAt: number;
  stop(): Promise<void>;
}

const KEY = Symbol.for('fulcrum.runtime');
type Holder = { [KEY]?: Runtime };

export function createRuntime(config: FulcrumConfig, opts: { defaultMetrics?: boolean } = {}): Runtime {
  const telemetry = new Telemetry({ defaultMetrics: opts.defaultMetrics });
  const clusters = new Map<string, ClusterEngine>();
  for (const c of config.clusters) clusters.set(c.name, new ClusterEngine(config, c, { telemetry }));
  return {
    config,
    clusters,
    telemetry,
    startedAt: Date.now(),
    async stop() {
      await Promise.all([...clusters.values()].map((e) => e.stop()));
    },
  };
}

/** The running instance, created and started on first use (throws ConfigError on a bad config). */
export function getRuntime(): Runtime {
  const g = globalThis as Holder;
  if (!g[KEY]) {
    const rt = createRuntime(loadConfig());
    for (const e of rt.clusters.values()) e.start();
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
