// A synthetic fleet for Prometheus: N clusters × M members, each member a scrape target that
// exposes etcd's own metric families (the ones Fulcrum's PromQL reads) with counters that move.
// Some clusters are skewed (one member takes most requests), some members are down (their
// target answers 503, so Prometheus records up=0), one cluster runs mixed versions. Prometheus
// finds the targets through a file_sd file the exporter rewrites when the spec changes, with the
// cluster and member as target labels: removing a cluster removes its targets, and its series go.
//
// The model and the text are pure (unit-tested); the server runs in its own process
// (dev/synthetic-exporter-cli.ts), started by startSyntheticExporter, so that a benchmark of
// Fulcrum never counts the exporter's CPU.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { REPO_ROOT } from './load';
import { freePort, isRunning, type ManagedProcess, spawnManaged, stopProcess, tailFile, waitFor } from './procs';

export interface SyntheticSpec {
  clusters: number;
  members: number;
  /** Cluster names are `${prefix}${index, 3 digits}` (default `syn-`). */
  prefix?: string;
  /** Target label naming the cluster (default `cluster`). */
  clusterLabel?: string;
  /** Target label naming the member (default `instance`). */
  memberLabel?: string;
  /** Indexes of clusters whose first member takes 70 % of the requests (default: i % 5 === 2). */
  skewed?: number[];
  /** [cluster, member] pairs that are down (default: the last member of i % 7 === 3). */
  down?: Array<[number, number]>;
  /** Indexes of clusters that are gone (no targets). */
  removed?: number[];
  /** Extra clusters with these names, as given (untrusted names for discovery tests), 1 member each. */
  extraNames?: string[];
  /** env/region/team target labels (default true). */
  labels?: boolean;
}

export interface SynthMember {
  /** The member label's value. */
  id: string;
  down: boolean;
  leader: boolean;
  /** Share of the cluster's requests. */
  share: number;
  version: string;
}

export interface SynthCluster {
  index: number;
  name: string;
  skewed: boolean;
  /** Requests per second, the whole cluster. */
  rate: number;
  labels: Record<string, string>;
  members: SynthMember[];
}

const ENVS = ['prod', 'stage', 'dev'];
const REGIONS = ['eu-west', 'us-east', 'ap-south', 'eu-central'];
const TEAMS = ['platform', 'payments', 'search', 'data', 'k8s'];

export function clusterName(spec: SyntheticSpec, i: number): string {
  return `${spec.prefix ?? 'syn-'}${String(i).padStart(3, '0')}`;
}

/** The fleet a spec describes. Pure. */
export function syntheticFleet(spec: SyntheticSpec): SynthCluster[] {
  const m = Math.max(1, Math.min(15, spec.members));
  const removed = new Set(spec.removed ?? []);
  const skewed = new Set(spec.skewed ?? Array.from({ length: spec.clusters }, (_, i) => i).filter((i) => i % 5 === 2));
  const downPairs =
    spec.down ??
    Array.from({ length: spec.clusters }, (_, i) => i)
      .filter((i) => i % 7 === 3)
      .map((i): [number, number] => [i, m - 1]);
  const down = new Set(downPairs.map(([c, j]) => `${c}:${j}`));
  const out: SynthCluster[] = [];
  const make = (index: number, name: string, members: number): SynthCluster => {
    const isSkewed = skewed.has(index) && members > 1;
    const leader = index % members;
    const ms: SynthMember[] = Array.from({ length: members }, (_, j) => ({
      id: `etcd-${j + 1}.${name}:2379`,
      down: down.has(`${index}:${j}`),
      leader: j === leader,
      share: 0,
      // One cluster in 13 is half-way through an upgrade.
      version: index % 13 === 5 && j === members - 1 ? '3.4.23' : '3.5.17',
    }));
    const live = ms.filter((x) => !x.down);
    for (const x of live) {
      if (!isSkewed) x.share = 1 / live.length;
      else x.share = x === live[0] ? 0.7 : 0.3 / Math.max(1, live.length - 1);
    }
    if (live.length === 1) live[0].share = 1;
    if (!ms.some((x) => x.leader && !x.down) && live.length) {
      for (const x of ms) x.leader = false;
      live[0].leader = true;
    }
    return {
      index,
      name,
      skewed: isSkewed,
      rate: 100 + ((index * 37) % 400),
      labels: spec.labels === false ? {} : { env: ENVS[index % 3], region: REGIONS[index % 4], team: TEAMS[index % 5] },
      members: ms,
    };
  };
  for (let i = 0; i < spec.clusters; i++) if (!removed.has(i)) out.push(make(i, clusterName(spec, i), m));
  (spec.extraNames ?? []).forEach((name, k) => {
    out.push(make(spec.clusters + k, name, 1));
  });
  return out;
}

/** A counter that grows at `rate` per second, ±5 % on a slow wave: monotonic, never flat. */
function counter(rate: number, dt: number, phase: number): number {
  return Math.max(0, rate * (dt + 1.5 * Math.sin(dt / 30 + phase) - 1.5 * Math.sin(phase)));
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(3));
const LATENCY_LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '+Inf'];
const LATENCY_CDF = [0.7, 0.9, 0.97, 0.99, 0.995, 0.998, 0.999, 1, 1];
const FSYNC_LE = ['0.001', '0.002', '0.004', '0.008', '0.016', '0.032', '0.064', '0.128', '+Inf'];
const FSYNC_CDF = [0.5, 0.8, 0.95, 0.99, 0.997, 0.999, 1, 1, 1];
const CALLS: Array<[service: string, method: string, type: string, part: number]> = [
  ['etcdserverpb.KV', 'Range', 'unary', 0.6],
  ['etcdserverpb.KV', 'Put', 'unary', 0.25],
  ['etcdserverpb.KV', 'Txn', 'unary', 0.05],
  ['etcdserverpb.KV', 'DeleteRange', 'unary', 0.02],
  ['etcdserverpb.Lease', 'LeaseKeepAlive', 'bidi_stream', 0.05],
  ['etcdserverpb.Watch', 'Watch', 'bidi_stream', 0.03],
];

/** One member's /metrics text at `dt` seconds after the exporter started. Pure. */
export function renderMemberMetrics(c: SynthCluster, j: number, dt: number): string {
  const m = c.members[j];
  const r = c.rate * m.share;
  const phase = c.index * 0.7 + j;
  const lines: string[] = [];
  const g = (name: string, v: number, labels = '') => lines.push(`${name}${labels ? `{${labels}}` : ''} ${fmt(v)}`);
  lines.push('# TYPE grpc_server_started_total counter');
  for (const [svc, method, type, part] of CALLS)
    g(
      'grpc_server_started_total',
      counter(r * part, dt, phase),
      `grpc_method="${method}",grpc_service="${svc}",grpc_type="${type}"`,
    );
  g(
    'grpc_server_started_total',
    counter(0.2, dt, 0),
    'grpc_method="Status",grpc_service="etcdserverpb.Maintenance",grpc_type="unary"',
  );
  lines.push('# TYPE grpc_server_handling_seconds histogram');
  for (const [svc, method, , part] of CALLS.slice(0, 2)) {
    const n = counter(r * part, dt, phase);
    const base = `grpc_method="${method}",grpc_service="${svc}",grpc_type="unary"`;
    LATENCY_LE.forEach((le, k) => {
      g('grpc_server_handling_seconds_bucket', n * LATENCY_CDF[k], `${base},le="${le}"`);
    });
    g('grpc_server_handling_seconds_count', n, base);
  }
  lines.push('# TYPE etcd_network_client_grpc_received_bytes_total counter');
  g('etcd_network_client_grpc_received_bytes_total', counter(r * 200, dt, phase));
  lines.push('# TYPE etcd_network_client_grpc_sent_bytes_total counter');
  g('etcd_network_client_grpc_sent_bytes_total', counter(r * 800, dt, phase));
  g('etcd_debugging_mvcc_watch_stream_total', Math.round(40 * m.share * c.members.length) + (c.index % 5));
  g('etcd_mvcc_db_total_size_in_bytes', 50 * 1024 * 1024 + c.index * 1024 * 1024);
  g('etcd_server_quota_backend_bytes', 2 * 1024 ** 3);
  g('process_cpu_seconds_total', counter(0.02 + r * 0.0005, dt, phase));
  lines.push('# TYPE etcd_network_peer_sent_bytes_total counter');
  c.members.forEach((_, k) => {
    if (k !== j) g('etcd_network_peer_sent_bytes_total', counter(m.leader ? 50_000 : 1_000, dt, k), `To="${k + 1}"`);
  });
  g('etcd_server_is_leader', m.leader ? 1 : 0);
  g('etcd_server_has_leader', 1);
  g('etcd_server_leader_changes_seen_total', 1);
  g('etcd_server_version', 1, `server_version="${m.version}"`);
  lines.push('# TYPE etcd_disk_wal_fsync_duration_seconds histogram');
  const fsyncs = counter(20, dt, phase);
  FSYNC_LE.forEach((le, k) => {
    g('etcd_disk_wal_fsync_duration_seconds_bucket', fsyncs * FSYNC_CDF[k], `le="${le}"`);
  });
  g('etcd_disk_wal_fsync_duration_seconds_count', fsyncs);
  return `${lines.join('\n')}\n`;
}

/** URL path of one member's metrics. */
export function memberPath(c: SynthCluster, j: number): string {
  return `/metrics/${encodeURIComponent(c.name)}/${j}`;
}

/** The file_sd content: one target per member, its cluster and member as labels. Pure. */
export function fileSdTargets(spec: SyntheticSpec, hostPort: string): object[] {
  const cl = spec.clusterLabel ?? 'cluster';
  const ml = spec.memberLabel ?? 'instance';
  return syntheticFleet(spec).flatMap((c) =>
    c.members.map((m, j) => ({
      targets: [hostPort],
      labels: { __metrics_path__: memberPath(c, j), ...c.labels, [cl]: c.name, [ml]: m.id },
    })),
  );
}

/** The exporter's HTTP server (run by the CLI). PUT /spec replaces the spec and rewrites the file_sd file. */
export function serveSynthetic(spec0: SyntheticSpec, fileSd: string, port: number): Promise<http.Server> {
  let spec = spec0;
  let fleet = new Map(syntheticFleet(spec).map((c) => [c.name, c]));
  const started = Date.now();
  const writeSd = () => {
    const tmp = `${fileSd}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(fileSdTargets(spec, `127.0.0.1:${port}`)));
    fs.renameSync(tmp, fileSd); // atomic: Prometheus never reads half a file
  };
  writeSd();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'PUT' && url.pathname === '/spec') {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        try {
          spec = JSON.parse(body) as SyntheticSpec;
          fleet = new Map(syntheticFleet(spec).map((c) => [c.name, c]));
          writeSd();
          res.writeHead(204).end();
        } catch (e) {
          res.writeHead(400).end((e as Error).message);
        }
      });
      return;
    }
    if (url.pathname === '/spec') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(spec));
      return;
    }
    const m = /^\/metrics\/([^/]+)\/(\d+)$/.exec(url.pathname);
    const c = m ? fleet.get(decodeURIComponent(m[1])) : undefined;
    const j = m ? Number(m[2]) : -1;
    if (!c?.members[j]) {
      res.writeHead(404).end('no such member\n');
      return;
    }
    if (c.members[j].down) {
      res.writeHead(503).end('member down\n');
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' })
      .end(renderMemberMetrics(c, j, (Date.now() - started) / 1000));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

export interface SyntheticExporter {
  url: string;
  /** The file_sd file Prometheus reads (see renderPrometheusConfig's fileSd). */
  fileSd: string;
  proc: ManagedProcess;
  /** Replace the spec: targets are rewritten (Prometheus picks them up within its file_sd refresh). */
  setSpec(spec: SyntheticSpec): Promise<void>;
  stop(): Promise<void>;
}

const CLI = path.join(REPO_ROOT, 'dev', 'synthetic-exporter-cli.ts');

/** Starts the exporter in its own process on a free port; resolves when it answers. */
export async function startSyntheticExporter(opts: { dir: string; spec: SyntheticSpec }): Promise<SyntheticExporter> {
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const fileSd = path.join(dir, 'synthetic-targets.json');
  const logFile = path.join(dir, 'synthetic-exporter.log');
  const proc = spawnManaged(
    'synthetic-exporter',
    process.execPath,
    ['--import', 'tsx', CLI, '--port', String(port), '--file-sd', fileSd, '--spec', JSON.stringify(opts.spec)],
    { cwd: REPO_ROOT, logFile },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/spec`, { signal: AbortSignal.timeout(1000) })).ok, {
      what: `the synthetic exporter on ${url}`,
      timeoutMs: 30_000,
      abortIf: () => (isRunning(proc) ? null : `it exited (code ${proc.exit?.code ?? proc.exit?.signal})`),
    });
  } catch (err) {
    await stopProcess(proc);
    throw new Error(`${(err as Error).message}; see ${logFile}\n${tailFile(logFile, 5)}`);
  }
  return {
    url,
    fileSd,
    proc,
    async setSpec(spec) {
      const r = await fetch(`${url}/spec`, { method: 'PUT', body: JSON.stringify(spec) });
      if (!r.ok) throw new Error(`synthetic exporter: PUT /spec answered ${r.status}: ${await r.text()}`);
    },
    stop: () => stopProcess(proc).then(() => undefined),
  };
}
