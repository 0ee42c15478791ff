// HAProxy (L4, mode tcp) in front of etcd members, with a runtime API socket and a stats page.
//
// Logging: HAProxy can't write files itself; it logs to stdout ("log stdout format rfc3164"),
// which the supervisor appends to logFile. The lines are exactly what a syslog receiver would
// store ("<134>Nov 25 10:00:00 haproxy[123]: 127.0.0.1:5000 [..] etcd_in etcd/etcd-1 ..."),
// and they keep flowing even if the Node parent dies. Startup warnings and alerts go to
// stderr → <logFile minus .log>.stderr.log so they don't mix with traffic lines.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePorts, isRunning, spawnManaged, stopProcess, tailFile, waitFor, type ManagedProcess } from './procs';

export const HAPROXY_BIN = process.env.FULCRUM_HAPROXY_BIN ?? '/usr/sbin/haproxy';
const UNIX_PATH_MAX = 107;

/**
 * The dev HAProxy's check: etcd 3.4.16+ takes ?exclude=NOSPACE, so a full quota (reads still work)
 * doesn't take every member out.
 */
export const DEFAULT_CHECK_PATH = '/health?exclude=NOSPACE';

export interface HaproxyOptions {
  dir: string;
  members: Array<{ name: string; clientUrl: string }>;
  weights: number[];
  check: 'http' | 'tcp';
  checkInterMs?: number;
  /** Path the HTTP check asks for (default DEFAULT_CHECK_PATH). */
  checkPath?: string;
  mode?: 'tcp' | 'http';
  /** Runtime API socket path (default <dir>/haproxy.sock). Unix socket paths are limited to 107 bytes. */
  runtimeSocket?: string;
  backend?: string;
  /**
   * HAProxy's agent-check against a weights agent (Fulcrum's `weights.agent`): every server asks
   * `addr:port` every `interMs` and names its member with `agent-send "<member name>\n"`.
   */
  agent?: { addr: string; port: number; interMs?: number };
}

export interface Haproxy {
  /** Frontend for etcd clients. */
  url: string;
  statsUrl: string;
  runtimeSocket: string;
  backend: string;
  servers: string[];
  configFile: string;
  logFile: string;
  /** The current process (changes on reload()). */
  readonly pid: number;
  readonly proc: ManagedProcess;
  /** The health-check type of the current config. */
  readonly check: 'http' | 'tcp';
  stop(): Promise<void>;
  setWeight(server: string, weight: number): Promise<void>;
  /** Sends one command to the runtime API and returns its answer. */
  runtime(cmd: string): Promise<string>;
  /** `show stat` rows of the backend's servers, by server name (CSV columns as strings). */
  serverStats(): Promise<Record<string, Record<string, string>>>;
  /**
   * Re-renders the config with `changes` (same ports, runtime socket and log files) and hands
   * over to a new process started with `-sf <old pid>`: the new one binds (SO_REUSEPORT) before
   * the old one stops listening, so the frontend never refuses a connection; the old one drains
   * for at most `hard-stop-after`. Weights changed at runtime are carried over (set again on the
   * new process); other runtime-only state (disabled/drained servers) is not.
   */
  reload(changes: { check?: 'http' | 'tcp'; checkInterMs?: number; checkPath?: string }): Promise<void>;
  /** The path of the current config's HTTP check. */
  readonly checkPath: string;
}

/** Soft-stop bound for a process replaced by reload() (it drains its connections for at most this). */
const HARD_STOP_AFTER = '3s';

interface Ports {
  front: number;
  stats: number;
}

export async function startHaproxy(opts: HaproxyOptions): Promise<Haproxy> {
  if (opts.weights.length !== opts.members.length) {
    throw new Error(`haproxy: ${opts.members.length} members but ${opts.weights.length} weights`);
  }
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true });
  const runtimeSocket = path.resolve(opts.runtimeSocket ?? path.join(dir, 'haproxy.sock'));
  if (Buffer.byteLength(runtimeSocket) > UNIX_PATH_MAX) {
    throw new Error(`haproxy: runtime socket path is longer than ${UNIX_PATH_MAX} bytes: ${runtimeSocket}`);
  }
  fs.rmSync(runtimeSocket, { force: true });
  const backend = opts.backend ?? 'etcd';
  const [front, stats] = await freePorts(2);
  const configFile = path.join(dir, 'haproxy.cfg');
  const logFile = path.join(dir, 'haproxy.log');
  const stderrFile = path.join(dir, 'haproxy.stderr.log');
  fs.writeFileSync(configFile, renderConfig({ ...opts, backend, runtimeSocket }, { front, stats }));

  await validateConfig(configFile, stderrFile);
  let current = { ...opts, backend, runtimeSocket };
  let proc = await launch(['-db', '-f', configFile]);
  /** Processes replaced by reload() that may still be draining. */
  const draining = new Set<ManagedProcess>();

  async function launch(args: string[]): Promise<ManagedProcess> {
    const p = spawnManaged('haproxy', HAPROXY_BIN, args, { logFile, stderrFile, cwd: dir });
    const failure = () =>
      isRunning(p)
        ? null
        : `haproxy exited (${p.exit?.signal ?? `code ${p.exit?.code}`}); see ${stderrFile}\n${tailFile(stderrFile, 5)}`;
    try {
      // Listeners are bound before the runtime API answers; probing the frontend instead would
      // send a connection to the first server and a line to the traffic log. On a reload the
      // socket file exists already: wait until it is the new process that answers.
      await waitFor(
        async () =>
          fs.existsSync(runtimeSocket) &&
          new RegExp(`^Pid: ${p.pid}$`, 'm').test(await runtimeCommand(runtimeSocket, 'show info', 1000)),
        {
          what: `haproxy's runtime API on ${runtimeSocket} (see ${stderrFile})`,
          timeoutMs: 10_000,
          intervalMs: 100,
          abortIf: failure,
        },
      );
    } catch (err) {
      await stopProcess(p);
      throw err;
    }
    return p;
  }

  const runtime = (cmd: string) => runtimeCommand(runtimeSocket, cmd);
  const setWeight = async (server: string, weight: number) => {
    if (!Number.isInteger(weight) || weight < 0 || weight > 256)
      throw new Error(`haproxy weight must be an integer 0..256, got ${weight}`);
    const answer = (await runtime(`set server ${backend}/${server} weight ${weight}`)).trim();
    if (answer !== '') throw new Error(`haproxy: set weight ${backend}/${server} ${weight}: ${answer}`);
  };
  const servers = opts.members.map((m) => m.name);
  let reloading: Promise<void> = Promise.resolve();

  return {
    url: `http://127.0.0.1:${front}`,
    statsUrl: `http://127.0.0.1:${stats}/`,
    runtimeSocket,
    backend,
    servers,
    configFile,
    logFile,
    get pid() {
      return proc.pid;
    },
    get proc() {
      return proc;
    },
    get check() {
      return current.check;
    },
    get checkPath() {
      return current.checkPath ?? DEFAULT_CHECK_PATH;
    },
    runtime,
    async stop() {
      await reloading.catch(() => {});
      await Promise.all([proc, ...draining].map((p) => stopProcess(p)));
      fs.rmSync(runtimeSocket, { force: true });
    },
    setWeight,
    serverStats: () => serverStats(runtimeSocket, backend),
    reload(changes) {
      const run = async () => {
        // Runtime weights die with the old process: read them now, set them again after.
        const weights = await Promise.all(
          servers.map(async (s) => parseWeight(await runtime(`get weight ${backend}/${s}`))),
        );
        const next = { ...current, ...changes };
        fs.writeFileSync(configFile, renderConfig(next, { front, stats }));
        try {
          await validateConfig(configFile, stderrFile);
        } catch (err) {
          fs.writeFileSync(configFile, renderConfig(current, { front, stats }));
          throw err;
        }
        const old = proc;
        proc = await launch(['-db', '-f', configFile, '-sf', String(old.pid)]);
        current = next;
        draining.add(old);
        void old.exited.then(() => draining.delete(old));
        for (const [i, s] of servers.entries()) {
          const w = weights[i];
          if (w !== null && w !== current.weights[i]) await setWeight(s, w);
        }
        // The old process got SIGUSR1 from the new one; hard-stop-after bounds its draining.
        const gone = await Promise.race([
          old.exited.then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
        ]);
        if (!gone) await stopProcess(old);
      };
      reloading = reloading.catch(() => {}).then(run);
      return reloading;
    },
  };
}

/** "80 (initial 10)" → 80 */
function parseWeight(answer: string): number | null {
  const m = /^(\d+)/.exec(answer.trim());
  return m ? Number(m[1]) : null;
}

/** `show stat` for one backend's servers, each row keyed by the CSV header's column names. */
export async function serverStats(
  socketPath: string,
  backend: string,
): Promise<Record<string, Record<string, string>>> {
  const text = await runtimeCommand(socketPath, 'show stat');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.replace(/^# /, '').split(',');
  if (!header?.includes('pxname')) throw new Error(`haproxy: unexpected "show stat" answer: ${text.slice(0, 200)}`);
  const rows: Record<string, Record<string, string>> = {};
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const row = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    if (row.pxname === backend && row.svname !== 'BACKEND' && row.svname !== 'FRONTEND') rows[row.svname] = row;
  }
  return rows;
}

function hostPort(clientUrl: string): string {
  const u = new URL(clientUrl);
  return `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
}

export function renderConfig(opts: HaproxyOptions & { backend: string; runtimeSocket: string }, ports: Ports): string {
  const mode = opts.mode ?? 'tcp';
  const inter = opts.checkInterMs ?? 1000;
  // mode http must speak HTTP/2 cleartext both ways for gRPC (etcd clients) to pass.
  const h2 = mode === 'http' ? ' proto h2' : '';
  // …but etcd answers /health over HTTP/1.1 only (non-gRPC h2c has no handler behind its cmux).
  const checkProto = mode === 'http' && opts.check === 'http' ? ' check-proto h1' : '';
  const a = opts.agent;
  const agent = (name: string) =>
    a
      ? ` agent-check agent-addr ${a.addr} agent-port ${a.port} agent-inter ${a.interMs ?? 2000} agent-send "${name}\\n"`
      : '';
  const servers = opts.members.map(
    (m, i) =>
      `  server ${m.name} ${hostPort(m.clientUrl)}${h2} weight ${opts.weights[i]} check inter ${inter}${checkProto}${agent(m.name)}`,
  );
  const healthCheck =
    opts.check === 'http'
      ? [`  option httpchk GET ${opts.checkPath ?? DEFAULT_CHECK_PATH}`, '  http-check expect status 200']
      : []; // plain TCP connect check
  return [
    '# Generated by dev/lib/haproxy.ts',
    'global',
    '  log stdout format rfc3164 local0',
    `  stats socket ${opts.runtimeSocket} mode 600 level admin`,
    '  stats timeout 30s',
    `  hard-stop-after ${HARD_STOP_AFTER}`,
    '  maxconn 4096',
    '',
    'defaults',
    `  mode ${mode}`,
    '  log global',
    `  option ${mode === 'http' ? 'httplog' : 'tcplog'}`,
    '  timeout connect 2s',
    '  timeout client 5m',
    '  timeout server 5m',
    '  timeout check 2s',
    '',
    'frontend etcd_in',
    `  bind 127.0.0.1:${ports.front}${h2}`,
    `  default_backend ${opts.backend}`,
    '',
    `backend ${opts.backend}`,
    '  balance roundrobin',
    ...healthCheck,
    ...servers,
    '',
    'listen stats',
    '  mode http',
    `  bind 127.0.0.1:${ports.stats}`,
    '  option dontlog-normal', // stats page: log errors only ("no log" + tcplog warns)
    '  stats enable',
    '  stats uri /',
    '  stats refresh 5s',
    '',
  ].join('\n');
}

async function validateConfig(configFile: string, stderrFile: string): Promise<void> {
  const proc = spawnManaged('haproxy -c', HAPROXY_BIN, ['-c', '-q', '-f', configFile], { logFile: stderrFile });
  const exit = await proc.exited;
  if (exit.code !== 0) {
    throw new Error(
      `haproxy rejected ${configFile} (exit ${exit.code ?? exit.signal}); see ${stderrFile}\n${tailFile(stderrFile, 10)}`,
    );
  }
}

/** One command over the runtime API (non-interactive: HAProxy answers, then closes). */
export function runtimeCommand(socketPath: string, cmd: string, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = net.createConnection(socketPath);
    sock.setTimeout(timeoutMs, () =>
      sock.destroy(new Error(`haproxy runtime API: no answer to "${cmd}" within ${timeoutMs} ms`)),
    );
    sock.once('connect', () => sock.end(`${cmd}\n`));
    sock.on('data', (d) => chunks.push(d));
    sock.once('error', (err) => reject(new Error(`haproxy runtime API ${socketPath}: ${err.message}`)));
    sock.once('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
