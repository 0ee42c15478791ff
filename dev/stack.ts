// The whole local stack: etcd ×N behind HAProxy (weighted), Prometheus scraping the members,
// a load generator through HAProxy, and a Fulcrum config file describing all of it.
//
// Layout under dir:
//   etcd-1/etcd.log, etcd-1/data, …      haproxy/haproxy.{cfg,log,stderr.log}   haproxy.sock
//   prometheus/prometheus.{yml,log}, prometheus/data                          load/load.log
//   fulcrum.yaml

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { startEtcdCluster, type EtcdCluster } from './lib/etcd';
import { startHaproxy, type Haproxy } from './lib/haproxy';
import { startLoad, type LoadHandle, type LoadOptions } from './lib/load';
import { makeLoopFs } from './lib/loopdev';
import { startPrometheus, type Prometheus } from './lib/prometheus';

export interface StackOptions {
  dir: string;
  /** One etcd member per weight (HAProxy server weights). */
  weights?: number[];
  prometheus?: boolean;
  load?: boolean;
  loadRate?: number;
  /** Further load-generator options (target is always the HAProxy frontend). */
  loadOptions?: Omit<LoadOptions, 'target'>;
  clusterName?: string;
  /**
   * Per-member `--quota-backend-bytes`, by member index (0-based), e.g. `{ 2: 32 * 1024 * 1024 }`
   * for a small quota on etcd-3. The `quota` fault (dev/faults/quota.ts) needs at least one.
   */
  quotaBackendBytes?: Record<number, number>;
  /** Further etcd flags per member index (appended after everything else). */
  memberFlags?: (i: number) => string[];
  /**
   * Put this member's WAL (`--wal-dir`) on a loop device of its own (an ext4 image under dir),
   * which the slow-wal fault throttles. Needs root; see dev/lib/loopdev.ts.
   */
  walOnLoopDevice?: number;
  /** HAProxy asks a weights agent for each server's weight (agent-check; see dev/lib/haproxy.ts). */
  haproxyAgent?: { addr: string; port: number; interMs?: number };
  /** Further top-level keys of the generated Fulcrum config (e.g. `weights`). */
  fulcrum?: Record<string, unknown>;
  /** Called with a short line as each part comes up. */
  log?: (line: string) => void;
}

export interface Stack {
  dir: string;
  configFile: string;
  cluster: EtcdCluster;
  haproxy: Haproxy;
  prometheus: Prometheus | null;
  load: LoadHandle | null;
  /** HAProxy weights from the config, one per member (runtime changes don't show here). */
  weights: number[];
  /** `--quota-backend-bytes` set per member index (empty if none). */
  quotaBackendBytes: Record<number, number>;
  /** Requests per second of the background load, or null without load. */
  loadRate: number | null;
  /** The member whose WAL is on a loop device of its own (walOnLoopDevice), and that device. */
  walDevice: { member: number; device: string; majMin: string; walDir: string } | null;
  /** Log files by part, for banners and error messages. */
  logs: { members: Record<string, string>; haproxy: string; prometheus: string | null; load: string | null };
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const dir = path.resolve(opts.dir);
  const weights = opts.weights ?? [30, 20, 10];
  const log = opts.log ?? (() => {});
  fs.mkdirSync(dir, { recursive: true });
  const stoppers: Array<() => Promise<void>> = [];
  const stopStarted = async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop().catch(() => {});
  };

  try {
    const quotas = validQuotas(opts.quotaBackendBytes ?? {}, weights.length);
    let walDevice: Stack['walDevice'] = null;
    const w = opts.walOnLoopDevice;
    if (w !== undefined) {
      if (!(Number.isInteger(w) && w >= 0 && w < weights.length))
        throw new Error(`walOnLoopDevice: no member with index ${w} (cluster has ${weights.length})`);
      const fsys = makeLoopFs(dir, `wal-device-${w + 1}`);
      stoppers.push(async () => fsys.remove());
      walDevice = { member: w, device: fsys.device, majMin: fsys.majMin, walDir: path.join(fsys.mountpoint, 'wal') };
      log(`wal: member ${w + 1} on ${fsys.device} (${fsys.majMin}) at ${fsys.mountpoint}`);
    }
    const cluster = await startEtcdCluster({
      dir,
      size: weights.length,
      extraFlags: (i) => [
        ...(quotas[i] !== undefined ? ['--quota-backend-bytes', String(quotas[i])] : []),
        ...(walDevice?.member === i ? ['--wal-dir', walDevice.walDir] : []),
        ...(opts.memberFlags?.(i) ?? []),
      ],
    });
    stoppers.push(() => cluster.stop());
    await cluster.waitHealthy(30_000);
    log(`etcd: ${cluster.members.map((m) => `${m.name} ${m.clientUrl}`).join(', ')}`);

    const haproxy = await startHaproxy({
      dir: path.join(dir, 'haproxy'),
      runtimeSocket: path.join(dir, 'haproxy.sock'),
      members: cluster.members,
      weights,
      check: 'http',
      agent: opts.haproxyAgent,
    });
    stoppers.push(() => haproxy.stop());
    log(`haproxy: ${haproxy.url} (stats ${haproxy.statsUrl})`);

    let prometheus: Prometheus | null = null;
    if (opts.prometheus ?? true) {
      prometheus = await startPrometheus({
        dir: path.join(dir, 'prometheus'),
        targets: cluster.members.map((m) => new URL(m.clientUrl).host),
        scrapeIntervalS: 1,
      });
      const p = prometheus;
      stoppers.push(() => p.stop());
      log(`prometheus: ${prometheus.url}`);
    }

    let load: LoadHandle | null = null;
    if (opts.load ?? true) {
      load = startLoad({
        ...opts.loadOptions,
        rate: opts.loadRate ?? opts.loadOptions?.rate,
        target: haproxy.url,
        logFile: path.join(dir, 'load', 'load.log'),
      });
      const l = load;
      stoppers.push(() => l.stop());
      log(`load: pid ${load.pid}, ${opts.loadRate ?? opts.loadOptions?.rate ?? 200} req/s through haproxy`);
    }

    const configFile = path.join(dir, 'fulcrum.yaml');
    fs.writeFileSync(
      configFile,
      renderFulcrumConfig({
        name: opts.clusterName ?? 'local',
        cluster,
        haproxy,
        prometheus,
        weights,
        extra: opts.fulcrum,
      }),
    );

    return {
      dir,
      configFile,
      cluster,
      haproxy,
      prometheus,
      load,
      weights,
      quotaBackendBytes: quotas,
      loadRate: load ? (opts.loadRate ?? opts.loadOptions?.rate ?? 200) : null,
      walDevice,
      logs: {
        members: Object.fromEntries(cluster.members.map((m) => [m.name, m.logFile])),
        haproxy: haproxy.logFile,
        prometheus: prometheus?.logFile ?? null,
        load: load?.logFile ?? null,
      },
      stop: stopStarted,
    };
  } catch (err) {
    await stopStarted();
    throw err;
  }
}

function validQuotas(quotas: Record<number, number>, size: number): Record<number, number> {
  const out: Record<number, number> = {};
  for (const [k, bytes] of Object.entries(quotas)) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i >= size)
      throw new Error(`quotaBackendBytes: no member with index ${k} (cluster has ${size}; indexes are 0-based)`);
    if (!Number.isInteger(bytes) || bytes <= 0)
      throw new Error(`quotaBackendBytes[${k}]: a positive integer number of bytes, got ${bytes}`);
    out[i] = bytes;
  }
  return out;
}

export function renderFulcrumConfig(p: {
  name: string;
  cluster: EtcdCluster;
  haproxy: Haproxy;
  prometheus: Prometheus | null;
  weights: number[];
  extra?: Record<string, unknown>;
}): string {
  const config = {
    pollIntervalMs: 1000,
    ...p.extra,
    ...(p.prometheus ? { prometheus: { url: p.prometheus.url } } : {}),
    clusters: [
      {
        name: p.name,
        endpoints: p.cluster.members.map((m, i) => ({ url: m.clientUrl, name: m.name, weight: p.weights[i] })),
        balancer: {
          type: 'haproxy',
          runtimeApi: p.haproxy.runtimeSocket,
          backend: p.haproxy.backend,
          configFile: p.haproxy.configFile,
        },
        logs: {
          members: Object.fromEntries(p.cluster.members.map((m) => [m.name, m.logFile])),
          balancer: p.haproxy.logFile,
        },
      },
    ],
  };
  return `# Generated by dev/stack.ts for the local stack in ${path.dirname(p.haproxy.runtimeSocket)}\n${YAML.stringify(config)}`;
}
