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
import type { FleetCluster, FleetState } from '../lib/fleet/types';
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

import { expect } from './fixtures';

export { expect };

export async function fleetNow(url: string): Promise<FleetState> {
  const r = await fetch(`${url}/api/fleet`);
  if (!r.ok) throw new Error(`GET /api/fleet answered ${r.status}`);
  return (await r.json()) as FleetState;
}

export function describeCluster(c: FleetCluster | undefined): string {
  if (!c) return 'absent';
  const members = c.members.map((m) => m.status).join('/');
  return `${c.name}: ${c.status}, worst ${c.worst?.severity ?? 'none'} (${c.worst?.title ?? ''}), members ${members}, score ${c.score}, polled every ${c.pollIntervalMs} ms`;
}

/**
 * Waits until the fleet is steady: Fulcrum polls `name` at most at twice the configured interval
 * (an overloaded Fulcrum stretches it, up to 8×: two missed polls 8 s apart would take 16 s to
 * call a member down; at 2× two missed polls fit in 4 s. A clean-clone CI run, with the wall soak
 * polling every 100 ms beside it, held 2× for 3 minutes), every member of `name` is up, and no
 * cluster has a member down, for `reads` fleet reads in a row (a second apart).
 */
export async function waitSteady(url: string, name: string, reads = 3): Promise<{ ms: number; waitedFor: string[] }> {
  const started = Date.now();
  let inARow = 0;
  let why = '';
  const waitedFor = new Set<string>();
  try {
    await expect
      .poll(
        async () => {
          const fleet = await fleetNow(url);
          const c = fleet.clusters.find((x) => x.name === name);
          const lost = fleet.clusters.filter((x) => x.members.some((m) => m.status === 'down'));
          const ok =
            c !== undefined &&
            c.status === 'ok' &&
            c.pollIntervalMs <= 2 * POLL_MS &&
            c.members.every((m) => m.status === 'up') &&
            lost.length === 0;
          inARow = ok ? inARow + 1 : 0;
          why = [describeCluster(c), ...lost.map((x) => `member down in ${x.name}`)].join('; ');
          if (!ok) {
            if (c && c.pollIntervalMs > 2 * POLL_MS) waitedFor.add(`${name} polled every ${c.pollIntervalMs} ms`);
            if (c && c.status !== 'ok') waitedFor.add(`${name} ${c.status}`);
            for (const x of lost) waitedFor.add(`member down in ${x.name}`);
          }
          return inARow;
        },
        // From 8 s back to 1 s takes 5 polls in time at each step (70 s at least).
        { timeout: 180_000, intervals: [1_000] },
      )
      .toBeGreaterThanOrEqual(reads);
  } catch (e) {
    throw new Error(`the fleet never held steady for ${reads} reads: ${why}\n${(e as Error).message}`);
  }
  return { ms: Date.now() - started, waitedFor: [...waitedFor] };
}
