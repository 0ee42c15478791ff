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

export interface HaproxyOptions {
  dir: string;
  members: Array<{ name: string; clientUrl: string }>;
  weights: number[];
  check: 'http' | 'tcp';
  checkInterMs?: number;
  mode?: 'tcp' | 'http';
  /** Runtime API socket path (default <dir>/haproxy.sock). Unix socket paths are limited to 107 bytes. */
  runtimeSocket?: string;
  backend?: string;
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
  pid: number;
  proc: ManagedProcess;
  stop(): Promise<void>;
  setWeight(server: string, weight: number): Promise<void>;
  /** Sends one command to the runtime API and returns its answer. */
  runtime(cmd: string): Promise<string>;
}

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
  const proc = spawnManaged('haproxy', HAPROXY_BIN, ['-db', '-f', configFile], { logFile, stderrFile, cwd: dir });
  const failure = () => (isRunning(proc) ? null : `haproxy exited (${proc.exit?.signal ?? `code ${proc.exit?.code}`}); see ${stderrFile}\n${tailFile(stderrFile, 5)}`);
  try {
    // Listeners are bound before the runtime API answers; probing the frontend instead would
    // send a connection to the first server and a line to the traffic log.
    await waitFor(async () => fs.existsSync(runtimeSocket) && (await runtimeCommand(runtimeSocket, 'show info', 1000)).includes('Pid:'), {
      what: `haproxy's runtime API on ${runtimeSocket} (see ${stderrFile})`,
      timeoutMs: 10_000,
      intervalMs: 100,
      abortIf: failure,
    });
  } catch (err) {
    await stopProcess(proc);
    throw err;
  }

  const runtime = (cmd: string) => runtimeCommand(runtimeSocket, cmd);
  return {
    url: `http://127.0.0.1:${front}`,
    statsUrl: `http://127.0.0.1:${stats}/`,
    runtimeSocket,
    backend,
    servers: opts.members.map((m) => m.name),
    configFile,
    logFile,
    pid: proc.pid,
    proc,
    runtime,
    async stop() {
      await stopProcess(proc);
      fs.rmSync(runtimeSocket, { force: true });
    },
    async setWeight(server, weight) {
      if (!Number.isInteger(weight) || weight < 0 || weight > 256) throw new Error(`haproxy weight must be an integer 0..256, got ${weight}`);
      const answer = (await runtime(`set server ${backend}/${server} weight ${weight}`)).trim();
      if (answer !== '') throw new Error(`haproxy: set weight ${backend}/${server} ${weight}: ${answer}`);
    },
  };
}

function hostPort(clientUrl: string): string {
  const u = new URL(clientUrl);
  return `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
}

export function renderConfig(
  opts: HaproxyOptions & { backend: string; runtimeSocket: string },
  ports: Ports,
): string {
  const mode = opts.mode ?? 'tcp';
  const inter = opts.checkInterMs ?? 1000;
  // mode http must speak HTTP/2 cleartext both ways for gRPC (etcd clients) to pass.
  const h2 = mode === 'http' ? ' proto h2' : '';
  // …but etcd answers /health over HTTP/1.1 only (non-gRPC h2c has no handler behind its cmux).
  const checkProto = mode === 'http' && opts.check === 'http' ? ' check-proto h1' : '';
  const servers = opts.members.map(
    (m, i) => `  server ${m.name} ${hostPort(m.clientUrl)}${h2} weight ${opts.weights[i]} check inter ${inter}${checkProto}`,
  );
  const healthCheck =
    opts.check === 'http'
      ? ['  option httpchk GET /health', '  http-check expect status 200']
      : []; // plain TCP connect check
  return [
    '# Generated by dev/lib/haproxy.ts',
    'global',
    '  log stdout format rfc3164 local0',
    `  stats socket ${opts.runtimeSocket} mode 600 level admin`,
    '  stats timeout 30s',
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
    throw new Error(`haproxy rejected ${configFile} (exit ${exit.code ?? exit.signal}); see ${stderrFile}\n${tailFile(stderrFile, 10)}`);
  }
}

/** One command over the runtime API (non-interactive: HAProxy answers, then closes). */
export function runtimeCommand(socketPath: string, cmd: string, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = net.createConnection(socketPath);
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`haproxy runtime API: no answer to "${cmd}" within ${timeoutMs} ms`)));
    sock.once('connect', () => sock.end(`${cmd}\n`));
    sock.on('data', (d) => chunks.push(d));
    sock.once('error', (err) => reject(new Error(`haproxy runtime API ${socketPath}: ${err.message}`)));
    sock.once('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
