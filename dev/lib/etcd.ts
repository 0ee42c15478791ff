// A real multi-member etcd cluster on 127.0.0.1, one /usr/bin/etcd process per member.
//
// Layout under dir: <name>/data (data dir) and <name>/etcd.log (zap JSON lines; etcd's stderr,
// so flag errors and Go panics land in the same file). Logs are left in place on stop.

import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  fmtSeconds,
  freePorts,
  isRunning,
  kill9 as killProcess9,
  sigcont,
  sigstop,
  spawnManaged,
  stopProcess,
  tailFile,
  waitFor,
  type ManagedProcess,
} from './procs';

export const ETCD_BIN = process.env.FULCRUM_ETCD_BIN ?? '/usr/bin/etcd';
export const ETCDCTL_BIN = process.env.FULCRUM_ETCDCTL_BIN ?? '/usr/bin/etcdctl';

export function etcdctl(args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      ETCDCTL_BIN,
      ['--dial-timeout=2s', '--command-timeout=5s', ...args],
      { env: { ...process.env, ETCDCTL_API: '3' }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`etcdctl ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
        else resolve(String(stdout));
      },
    );
  });
}

export interface EtcdMember {
  name: string;
  clientUrl: string;
  /** Plain-HTTP /metrics and /health (`--listen-metrics-urls`), null when not asked for. */
  metricsUrl: string | null;
  peerUrl: string;
  dataDir: string;
  logFile: string;
  /** pid of the current process (changes on restart). */
  pid: number;
}

export interface EtcdClusterOptions {
  size?: number;
  dir: string;
  names?: string[];
  /** Extra etcd flags, for all members or per member index. */
  extraFlags?: string[] | ((i: number) => string[]);
  quotaBackendBytes?: number;
  heartbeatMs?: number;
  electionMs?: number;
  /**
   * Serve clients only over TLS: the CA, each member's server certificate (SANs must cover
   * 127.0.0.1), and whether clients must present a certificate signed by the CA
   * (`--client-cert-auth`). Peers stay on plain HTTP.
   */
  tls?: { ca: string; member: (i: number) => { cert: string; key: string }; clientCertAuth: boolean };
  /** Also serve /metrics and /health on a plain-HTTP `--listen-metrics-urls` port. */
  metricsListener?: boolean;
}

export interface EtcdCluster {
  members: EtcdMember[];
  endpoints: string[];
  token: string;
  /** SIGTERM every member (SIGKILL after 5 s). Data and logs stay. */
  stop(): Promise<void>;
  /** SIGKILL member i and wait until it is gone. */
  kill9(i: number): Promise<void>;
  /** SIGTERM member i (graceful) and wait until it is gone. */
  stopMember(i: number): Promise<void>;
  /** Start a stopped/killed member again on the same data dir (--initial-cluster-state existing). */
  restart(i: number): Promise<void>;
  /** SIGSTOP member i: the process stays, but answers nothing (a hung member). */
  freeze(i: number): void;
  /** SIGCONT member i. */
  thaw(i: number): void;
  isRunning(i: number): boolean;
  /** Polls every running member's /health until {"health":"true"}. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Polls one member's /health. */
  waitMemberHealthy(i: number, timeoutMs?: number): Promise<void>;
  /**
   * `etcdctl member add` a new member, then start it (--initial-cluster-state existing) and wait
   * until it is healthy. Returns its index (plain-HTTP clusters only).
   */
  addMember(name?: string, opts?: { learner?: boolean }): Promise<number>;
  /** `etcdctl member remove` member i (its hex ID from `member list`), then stop its process. */
  removeMember(i: number): Promise<void>;
}

interface MemberState {
  member: EtcdMember;
  flags: string[];
  proc: ManagedProcess;
}

/** The name etcd uses for member i (0-based): etcd-1, etcd-2, … */
export function defaultMemberName(i: number): string {
  return `etcd-${i + 1}`;
}

export async function startEtcdCluster(opts: EtcdClusterOptions): Promise<EtcdCluster> {
  const size = opts.names?.length ?? opts.size ?? 3;
  const names = opts.names ?? Array.from({ length: size }, (_, i) => defaultMemberName(i));
  if (names.length !== size) throw new Error(`etcd: names has ${names.length} entries but size is ${size}`);
  const per = opts.metricsListener ? 3 : 2;
  const ports = await freePorts(size * per);
  const token = `fulcrum-${crypto.randomBytes(6).toString('hex')}`;
  const members: EtcdMember[] = names.map((name, i) => {
    const memberDir = path.join(path.resolve(opts.dir), name);
    return {
      name,
      clientUrl: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${ports[per * i]}`,
      metricsUrl: opts.metricsListener ? `http://127.0.0.1:${ports[per * i + 2]}` : null,
      peerUrl: `http://127.0.0.1:${ports[per * i + 1]}`,
      dataDir: path.join(memberDir, 'data'),
      logFile: path.join(memberDir, 'etcd.log'),
      pid: 0,
    };
  });
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  const states: MemberState[] = members.map((member, i) => {
    fs.mkdirSync(path.dirname(member.logFile), { recursive: true });
    const flags = memberFlags(member, i, initialCluster, token, opts);
    const proc = launch(member, [...flags, '--initial-cluster-state', 'new']);
    return { member, flags, proc };
  });

  const byIndex = (i: number): MemberState => {
    const s = states[i];
    if (!s) throw new Error(`etcd: no member with index ${i} (cluster has ${states.length})`);
    return s;
  };

  const waitMemberHealthy = async (i: number, timeoutMs = 20_000) => {
    const { member, proc } = byIndex(i);
    try {
      await waitFor(() => memberHealthy(member), {
        what: `etcd member ${member.name} to report healthy`,
        timeoutMs,
        intervalMs: 200,
        abortIf: () => (isRunning(proc) ? null : `process exited (${describeExit(proc)})`),
      });
    } catch (err) {
      const exited = !isRunning(proc);
      const why = exited
        ? `etcd member ${member.name} exited (${describeExit(proc)}) before becoming healthy`
        : `etcd member ${member.name} did not become healthy within ${fmtSeconds(timeoutMs)}`;
      const tail = tailFile(member.logFile, 5);
      throw new Error(`${why}; see ${member.logFile}${tail ? `\n--- last log lines ---\n${tail}` : ''}`, {
        cause: err,
      });
    }
  };

  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.clientUrl),
    token,
    async stop() {
      // etcd 3.4: a leader that gets SIGTERM hands leadership to a connected peer first; if
      // that peer is shutting down too, the leader hangs until SIGKILL. Followers first, then
      // the leader (with no peer left it skips the transfer and exits at once).
      const leader = await findLeader(
        states.filter((s) => isRunning(s.proc)).map((s) => s.member),
        2_000,
      );
      const last = states.find((s) => s.member === leader);
      await Promise.all(states.filter((s) => s !== last).map((s) => stopProcess(s.proc)));
      if (last) await stopProcess(last.proc);
    },
    async kill9(i) {
      await killProcess9(byIndex(i).proc);
    },
    async stopMember(i) {
      await stopProcess(byIndex(i).proc);
    },
    async restart(i) {
      const s = byIndex(i);
      if (isRunning(s.proc))
        throw new Error(
          `etcd member ${s.member.name} is still running (pid ${s.proc.pid}); kill9(${i}) or stopMember(${i}) first`,
        );
      s.proc = launch(s.member, [...s.flags, '--initial-cluster-state', 'existing']);
    },
    freeze(i) {
      sigstop(byIndex(i).proc);
    },
    thaw(i) {
      sigcont(byIndex(i).proc);
    },
    isRunning(i) {
      return isRunning(byIndex(i).proc);
    },
    async waitHealthy(timeoutMs = 20_000) {
      const running = states.map((s, i) => (isRunning(s.proc) ? i : -1)).filter((i) => i >= 0);
      const results = await Promise.allSettled(running.map((i) => waitMemberHealthy(i, timeoutMs)));
      const errors = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
      if (errors.length > 0) throw new Error(errors.join('\n'));
    },
    waitMemberHealthy,
    async addMember(name = defaultMemberName(states.length), add: { learner?: boolean } = {}) {
      if (opts.tls || opts.metricsListener)
        throw new Error('addMember: plain-HTTP clusters without a metrics listener only');
      const [clientPort, peerPort] = await freePorts(2);
      const member: EtcdMember = {
        name,
        clientUrl: `http://127.0.0.1:${clientPort}`,
        metricsUrl: null,
        peerUrl: `http://127.0.0.1:${peerPort}`,
        dataDir: path.join(path.resolve(opts.dir), name, 'data'),
        logFile: path.join(path.resolve(opts.dir), name, 'etcd.log'),
        pid: 0,
      };
      fs.mkdirSync(path.dirname(member.logFile), { recursive: true });
      const running = states.filter((s) => isRunning(s.proc)).map((s) => s.member.clientUrl);
      const out = await reconfig([
        '--endpoints',
        running.join(','),
        'member',
        'add',
        name,
        `--peer-urls=${member.peerUrl}`,
        ...(add.learner ? ['--learner'] : []),
      ]);
      const initial = /ETCD_INITIAL_CLUSTER="([^"]+)"/.exec(out)?.[1];
      if (!initial) throw new Error(`etcdctl member add printed no ETCD_INITIAL_CLUSTER: ${out.trim()}`);
      const i = states.length;
      const flags = memberFlags(member, i, initial, token, opts);
      states.push({ member, flags, proc: launch(member, [...flags, '--initial-cluster-state', 'existing']) });
      members.push(member);
      cluster.endpoints.push(member.clientUrl);
      await waitMemberHealthy(i, 30_000);
      return i;
    },
    async removeMember(i) {
      const { member, proc } = byIndex(i);
      const others = states.filter((s, k) => k !== i && isRunning(s.proc)).map((s) => s.member.clientUrl);
      // `member list` (simple format) prints hex IDs: no uint64 through a JS number.
      const list = await etcdctl(['--endpoints', others.join(','), 'member', 'list']);
      const id = list
        .split('\n')
        .map((l) => l.split(',').map((x) => x.trim()))
        .find((f) => f[2] === member.name)?.[0];
      if (!id) throw new Error(`etcdctl member list has no member named ${member.name}: ${list.trim()}`);
      await reconfig(['--endpoints', others.join(','), 'member', 'remove', id]);
      await stopProcess(proc);
    },
  };
  return cluster;
}

/**
 * A membership change. etcd refuses one ("unhealthy cluster") until every member has been
 * connected for 5 s (strict reconfiguration check): ask again until it is accepted.
 */
async function reconfig(args: string[], timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await etcdctl(args);
    } catch (e) {
      if (!/unhealthy cluster/.test((e as Error).message) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function memberFlags(
  m: EtcdMember,
  i: number,
  initialCluster: string,
  token: string,
  opts: EtcdClusterOptions,
): string[] {
  const flags = [
    '--name',
    m.name,
    '--data-dir',
    m.dataDir,
    '--listen-client-urls',
    m.clientUrl,
    '--advertise-client-urls',
    m.clientUrl,
    '--listen-peer-urls',
    m.peerUrl,
    '--initial-advertise-peer-urls',
    m.peerUrl,
    '--initial-cluster',
    initialCluster,
    '--initial-cluster-token',
    token,
    '--metrics',
    'extensive',
    '--logger',
    'zap',
    '--log-outputs',
    'stderr',
  ];
  if (opts.quotaBackendBytes !== undefined) flags.push('--quota-backend-bytes', String(opts.quotaBackendBytes));
  if (opts.heartbeatMs !== undefined) flags.push('--heartbeat-interval', String(opts.heartbeatMs));
  if (opts.electionMs !== undefined) flags.push('--election-timeout', String(opts.electionMs));
  if (opts.tls) {
    const c = opts.tls.member(i);
    flags.push('--trusted-ca-file', opts.tls.ca, '--cert-file', c.cert, '--key-file', c.key);
    if (opts.tls.clientCertAuth) flags.push('--client-cert-auth');
  }
  if (m.metricsUrl) flags.push('--listen-metrics-urls', m.metricsUrl);
  const extra = typeof opts.extraFlags === 'function' ? opts.extraFlags(i) : (opts.extraFlags ?? []);
  return [...flags, ...extra];
}

function launch(member: EtcdMember, args: string[]): ManagedProcess {
  const env: Record<string, string> = {};
  // etcd 3.4 refuses to start on anything but amd64/arm64/ppc64le without this.
  if (!['x64', 'arm64', 'ppc64'].includes(process.arch))
    env.ETCD_UNSUPPORTED_ARCH = process.arch === 'arm' ? 'arm' : process.arch;
  const proc = spawnManaged(member.name, ETCD_BIN, args, { logFile: member.logFile, env });
  member.pid = proc.pid;
  return proc;
}

function describeExit(proc: ManagedProcess): string {
  if (!proc.exit) return 'running';
  return proc.exit.signal ? `signal ${proc.exit.signal}` : `exit code ${proc.exit.code}`;
}

/** Where a member answers /health and /metrics over plain HTTP: its metrics listener, else its client URL. */
function httpUrl(m: Pick<EtcdMember, 'clientUrl' | 'metricsUrl'> | string): string {
  return typeof m === 'string' ? m : (m.metricsUrl ?? m.clientUrl);
}

/** true if GET /health answers {"health":"true"} (on the metrics listener when there is one). */
export async function memberHealthy(
  member: Pick<EtcdMember, 'clientUrl' | 'metricsUrl'> | string,
  timeoutMs = 2_000,
): Promise<boolean> {
  const res = await fetch(`${httpUrl(member)}/health`, { signal: AbortSignal.timeout(timeoutMs) });
  const body = (await res.json()) as { health?: string };
  return body.health === 'true';
}

/**
 * The member whose /metrics says etcd_server_is_leader 1, if any answers in time. A generous
 * default: on a busy 2-core machine a member took more than 1 s to answer /metrics, and a test
 * then found no leader at all.
 */
export async function findLeader(members: EtcdMember[], timeoutMs = 10_000): Promise<EtcdMember | undefined> {
  const isLeader = async (m: EtcdMember) => {
    try {
      const res = await fetch(`${httpUrl(m)}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
      return /^etcd_server_is_leader 1$/m.test(await res.text());
    } catch {
      return false;
    }
  };
  const flags = await Promise.all(members.map(isLeader));
  return members[flags.indexOf(true)];
}
