// The operations-room fixture: two real clusters (two local stacks: etcd ×3 behind HAProxy with
// load) and a fleet of synthetic clusters that Fulcrum discovers in a real Prometheus scraping
// the synthetic exporter, all served by one production Fulcrum that a test may stop and start
// again on the same address. Worker-scoped: fleet.spec and wall.spec share it.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { freePort } from '../dev/lib/procs';
import { type Prometheus, startPrometheus } from '../dev/lib/prometheus';
import { type SyntheticExporter, type SyntheticSpec, startSyntheticExporter } from '../dev/lib/synthetic-exporter';
import { startStack, type Stack } from '../dev/stack';
import { type FulcrumServer, startFulcrum, test as base } from './fixtures';

/** 52 discovered clusters; three of them skewed (a critical request skew), none with a member down. */
export const SYNTHETIC: SyntheticSpec = { clusters: 52, members: 3, skewed: [2, 7, 12], down: [] };
export const SYNTHETIC_NAMES = Array.from(
  { length: SYNTHETIC.clusters },
  (_, i) => `syn-${String(i).padStart(3, '0')}`,
);
export const POLL_MS = 1000;

export interface OpsRoom {
  a: Stack;
  b: Stack;
  exporter: SyntheticExporter;
  prometheus: Prometheus;
  configFile: string;
  dir: string;
}

export interface RestartableFulcrum {
  url: string;
  current: FulcrumServer;
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop). */
  start(): Promise<void>;
}

/** Both stacks' clusters, configured, plus discovery in the synthetic Prometheus. */
export function opsRoomConfig(a: Stack, b: Stack, prometheusUrl: string): string {
  const clusters = [a, b].flatMap(
    (s) => (YAML.parse(readFileSync(s.configFile, 'utf8')) as { clusters: unknown[] }).clusters,
  );
  return YAML.stringify({
    pollIntervalMs: POLL_MS,
    prometheus: { url: prometheusUrl, rateWindow: '5s', backfill: false },
    // A 5 s fleet read: its Prometheus queries get 4 s. On a starved 2-core machine a shorter one
    // times out now and then, and a failed fleet query marks every discovered member down.
    discovery: { prometheus: { selector: 'job="syn"', refresh: '10s', interval: '5s' } },
    clusters,
  });
}

export const test = base.extend<object, { opsRoom: OpsRoom; opsFulcrum: RestartableFulcrum }>({
  opsRoom: [
    async ({ workDir }, use) => {
      const dir = path.join(workDir, 'ops-room');
      const started: Array<{ stop(): Promise<void> }> = [];
      try {
        const exporter = await startSyntheticExporter({ dir: path.join(dir, 'synthetic'), spec: SYNTHETIC });
        started.push(exporter);
        const prometheus = await startPrometheus({
          dir: path.join(dir, 'prometheus'),
          targets: [],
          scrapeIntervalS: 1,
          fileSd: [{ job: 'syn', file: exporter.fileSd }],
        });
        started.push(prometheus);
        const a = await startStack({
          dir: path.join(dir, 'a'),
          clusterName: 'local',
          prometheus: false,
          loadRate: 100,
        });
        started.push(a);
        const b = await startStack({
          dir: path.join(dir, 'b'),
          clusterName: 'local-b',
          weights: [10, 10, 10],
          prometheus: false,
          loadRate: 60,
        });
        started.push(b);
        const configFile = path.join(dir, 'fulcrum.yaml');
        writeFileSync(configFile, opsRoomConfig(a, b, prometheus.url));
        await use({ a, b, exporter, prometheus, configFile, dir });
      } finally {
        for (const s of started.reverse()) await s.stop().catch(() => {});
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  opsFulcrum: [
    async ({ opsRoom, workDir }, use) => {
      const port = await freePort();
      let current = await startFulcrum(opsRoom.configFile, workDir, {}, port);
      const f: RestartableFulcrum = {
        url: current.url,
        get current() {
          return current;
        },
        stop: () => current.stop(),
        async start() {
          current = await startFulcrum(opsRoom.configFile, workDir, {}, port);
        },
      };
      await use(f);
      await current.stop();
    },
    { scope: 'worker', timeout: 90_000 },
  ],
});

export { expect } from './fixtures';
