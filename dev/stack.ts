// The whole local stack: etcd ×N behind a weighted balancer (HAProxy, or NGINX with
// `balancer: 'nginx'`), Prometheus scraping the members, a load generator through the balancer,
// and a Fulcrum config file describing all of it. startStack = startStackCluster (the members) +
// startFront (the rest), so a test can put one balancer, then another, in front of the same members.
//
// Layout under dir:
//   etcd-1/etcd.log, etcd-1/data, …      haproxy/haproxy.{cfg,log,stderr.log}   haproxy.sock
//                                        (or nginx/nginx.conf, nginx/conf.d/, nginx/{access,error}.log)
//   prometheus/prometheus.{yml,log}, prometheus/data                          load/load.log
//   fulcrum.yaml

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { startEtcdCluster, type EtcdCluster } from './lib/etcd';
import { startHaproxy, type Haproxy } from './lib/haproxy';
import { startLoad, type LoadHandle, type LoadOptions } from './lib/load';
import { makeLoopFs } from './lib/loopdev';
import { type Nginx, startNginx } from './lib/nginx';
import { startPrometheus, type Prometheus } from './lib/prometheus';

export type BalancerKind = 'haproxy' | 'nginx';

export interface StackOptions {
  dir: string;
  /** One etcd member per weight (the balancer's server weights). */
  weights?: number[];
  /** What balances the members: HAProxy (L4, HTTP checks; default) or NGINX (stream, passive checks). */
  balancer?: BalancerKind;
  /** NGINX only: L4 `stream` (default) or L7 `grpc_pass`. */
  nginxMode?: 'stream' | 'grpc';
  prometheus?: boolean;
  load?: boolean;
  loadRate?: number;
  /** Further load-generator options (target is always the balancer's frontend). */
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
  balancer: BalancerKind;
  /** HAProxy in front; reading it on an NGINX stack throws (use `nginx`, or `frontUrl`). */
  readonly haproxy: Haproxy;
  /** NGINX in front, null on an HAProxy stack. */
  nginx: Nginx | null;
  /** Where clients (the load) connect: the balancer's frontend. */
  frontUrl: string;
  prometheus: Prometheus | null;
  load: LoadHandle | null;
  /** The balancer's weights from its config at start, one per member (later changes don't show here). */
  weights: number[];
  /** `--quota-backend-bytes` set per member index (empty if none). */
  quotaBackendBytes: Record<number, number>;
  /** Requests per second of the background load, or null without load. */
  loadRate: number | null;
  /** The member whose WAL is on a loop device of its own (walOnLoopDevice), and that device. */
  walDevice: { member: number; device: string; majMin: string; walDir: string } | null;
  /** Log files by part, for banners and error messages. */
  logs: { members: Record<string, string>; balancer: string; prometheus: string | null; load: string | null };
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const members = await startStackCluster(opts);
  const stack = await startFront(members, opts).catch(async (err) => {
    await members.stop();
    throw err;
  });
  const stopFront = stack.stop;
  stack.stop = async () => {
    await stopFront();
    await members.stop();
  };
  return stack;
}

/** A stack's etcd members alone, what startFront puts a balancer in front of. */
export interface StackCluster {
  cluster: EtcdCluster;
  /** `--quota-backend-bytes` set per member index (empty if none). */
  quotaBackendBytes: Record<number, number>;
  walDevice: Stack['walDevice'];
  /** Stops the members and removes the WAL's loop device. */
  stop(): Promise<void>;
}

/** A stack's etcd members (one per weight, with their quotas, flags and WAL device), under dir. */
export async function startStackCluster(
  opts: Pick<StackOptions, 'dir' | 'weights' | 'quotaBackendBytes' | 'memberFlags' | 'walOnLoopDevice' | 'log'>,
): Promise<StackCluster> {
  const dir = path.resolve(opts.dir);
  const size = (opts.weights ?? [30, 20, 10]).length;
  const log = opts.log ?? (() => {});
  fs.mkdirSync(dir, { recursive: true });
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stoppers.splice(0).reverse()) await s().catch(() => {});
  };
  try {
    const quotas = validQuotas(opts.quotaBackendBytes ?? {}, size);
    let walDevice: Stack['walDevice'] = null;
    const w = opts.walOnLoopDevice;
    if (w !== undefined) {
      if (!(Number.isInteger(w) && w >= 0 && w < size))
        throw new Error(`walOnLoopDevice: no member with index ${w} (cluster has ${size})`);
      const fsys = makeLoopFs(dir, `wal-device-${w + 1}`);
      stoppers.push(async () => fsys.remove());
      walDevice = { member: w, device: fsys.device, majMin: fsys.majMin, walDir: path.join(fsys.mountpoint, 'wal') };
      log(`wal: member ${w + 1} on ${fsys.device} (${fsys.majMin}) at ${fsys.mountpoint}`);
    }
    const cluster = await startEtcdCluster({
      dir,
      size,
      extraFlags: (i) => [
        ...(quotas[i] !== undefined ? ['--quota-backend-bytes', String(quotas[i])] : []),
        ...(walDevice?.member === i ? ['--wal-dir', walDevice.walDir] : []),
        ...(opts.memberFlags?.(i) ?? []),
      ],
    });
    stoppers.push(() => cluster.stop());
    return { cluster, quotaBackendBytes: quotas, walDevice, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * A balancer (with Prometheus and load, as in startStack) in front of a cluster that is already
 * running, e.g. NGINX in front of the members an HAProxy stack fronted, once that stack's load is
 * stopped. The members' options (quotas, flags, WAL device) are startStackCluster's: here they are
 * ignored. Its stop() stops what it started, not the members.
 */
export async function startFront(members: StackCluster, opts: StackOptions): Promise<Stack> {
  const { cluster, walDevice } = members;
  const dir = path.resolve(opts.dir);
  const weights = opts.weights ?? [30, 20, 10];
  const log = opts.log ?? (() => {});
  fs.mkdirSync(dir, { recursive: true });
  const stoppers: Array<() => Promise<void>> = [];
  const stopStarted = async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop().catch(() => {});
  };

  try {
    if (weights.length !== cluster.members.length)
      throw new Error(`${weights.length} weights for ${cluster.members.length} members`);
    const quotas = members.quotaBackendBytes;
    await cluster.waitHealthy(30_000);
    log(`etcd: ${cluster.members.map((m) => `${m.name} ${m.clientUrl}`).join(', ')}`);

    const kind = opts.balancer ?? 'haproxy';
    let haproxy: Haproxy | null = null;
    let nginx: Nginx | null = null;
    if (kind === 'haproxy') {
      const h = await startHaproxy({
        dir: path.join(dir, 'haproxy'),
        runtimeSocket: path.join(dir, 'haproxy.sock'),
        members: cluster.members,
        weights,
        check: 'http',
        agent: opts.haproxyAgent,
      });
      haproxy = h;
      stoppers.push(() => h.stop());
      log(`haproxy: ${h.url} (stats ${h.statsUrl})`);
    } else {
      const n = await startNginx({
        dir: path.join(dir, 'nginx'),
        members: cluster.members,
        weights,
        mode: opts.nginxMode,
      });
      nginx = n;
      stoppers.push(() => n.stop());
      log(`nginx (${n.mode}): ${n.url} (config ${n.configFile})`);
    }
    const frontUrl = (haproxy ?? nginx)!.url;

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
        target: frontUrl,
        logFile: path.join(dir, 'load', 'load.log'),
      });
      const l = load;
      stoppers.push(() => l.stop());
      log(`load: pid ${load.pid}, ${opts.loadRate ?? opts.loadOptions?.rate ?? 200} req/s through ${kind}`);
    }

    const configFile = path.join(dir, 'fulcrum.yaml');
    fs.writeFileSync(
      configFile,
      renderFulcrumConfig({
        name: opts.clusterName ?? 'local',
        dir,
        cluster,
        haproxy,
        nginx,
        prometheus,
        weights,
        extra: opts.fulcrum,
      }),
    );

    return {
      dir,
      configFile,
      cluster,
      balancer: kind,
      get haproxy(): Haproxy {
        if (!haproxy) throw new Error('this stack runs NGINX, not HAProxy');
        return haproxy;
      },
      nginx,
      frontUrl,
      prometheus,
      load,
      weights,
      quotaBackendBytes: quotas,
      loadRate: load ? (opts.loadRate ?? opts.loadOptions?.rate ?? 200) : null,
      walDevice,
      logs: {
        members: Object.fromEntries(cluster.members.map((m) => [m.name, m.logFile])),
        balancer: haproxy?.logFile ?? nginx!.accessLog,
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
  dir: string;
  cluster: EtcdCluster;
  haproxy: Haproxy | null;
  nginx: Nginx | null;
  prometheus: Prometheus | null;
  weights: number[];
  extra?: Record<string, unknown>;
}): string {
  const balancer = p.haproxy
    ? {
        type: 'haproxy',
        runtimeApi: p.haproxy.runtimeSocket,
        backend: p.haproxy.backend,
        configFile: p.haproxy.configFile,
      }
    : {
        type: 'nginx',
        config: p.nginx!.configFile,
        upstream: p.nginx!.upstream,
        accessLog: p.nginx!.accessLog,
        errorLog: p.nginx!.errorLog,
      };
  const config = {
    pollIntervalMs: 1000,
    ...p.extra,
    ...(p.prometheus ? { prometheus: { url: p.prometheus.url } } : {}),
    clusters: [
      {
        name: p.name,
        endpoints: p.cluster.members.map((m, i) => ({ url: m.clientUrl, name: m.name, weight: p.weights[i] })),
        balancer,
        logs: {
          members: Object.fromEntries(p.cluster.members.map((m) => [m.name, m.logFile])),
          balancer: p.haproxy?.logFile ?? p.nginx!.accessLog,
        },
      },
    ],
  };
  return `# Generated by dev/stack.ts for the local stack in ${p.dir}\n${YAML.stringify(config)}`;
}
