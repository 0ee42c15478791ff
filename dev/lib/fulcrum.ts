// A production Fulcrum server (`next start` on the current build) on a free port, for e2e,
// integration tests and benchmarks. Its own process group: stop() ends it and its children.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, procStatFields } from './procs';

export interface FulcrumServer {
  url: string;
  port: number;
  /** The server's process (and process group) id. */
  pid: number;
  logFile: string;
  /** Resident memory of the server's process group, in bytes. */
  rssBytes(): number;
  stop(): Promise<void>;
  /** SIGKILL to the process group (a crash: no shutdown hooks), resolved once it is gone. */
  kill(): Promise<void>;
}

/** Sum of VmRSS over every process in process group `pgid` (Linux /proc). */
export function groupRssBytes(pgid: number): number {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // state ppid pgrp ...
      if (Number(procStatFields(d)?.[2]) !== pgid) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${d}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/**
 * `next start` on a free port (or `port`: a restart on the same address) with the given config;
 * resolves when /api/health answers. `cwd`: another checkout's build.
 */
export async function startFulcrum(
  configFile: string,
  dir: string,
  env: Record<string, string> = {},
  portOrOpts: number | { port?: number; host?: string; cwd?: string } = {},
): Promise<FulcrumServer> {
  const opts = typeof portOrOpts === 'number' ? { port: portOrOpts } : portOrOpts;
  const port = opts.port ?? (await freePort());
  const host = opts.host ?? '127.0.0.1';
  const cwd = opts.cwd ?? process.cwd();
  const logFile = path.join(dir, `fulcrum-${port}.log`);
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    path.resolve(cwd, 'node_modules/.bin/next'),
    ['start', '-p', String(port), '-H', host],
    {
      cwd,
      env: { ...process.env, FULCRUM_CONFIG: configFile, NEXT_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', out, out],
      detached: true,
    },
  );
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`fulcrum exited with ${child.exitCode}; see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`fulcrum did not answer within 60 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const pid = child.pid!;
  return {
    url,
    port,
    pid,
    logFile,
    rssBytes: () => groupRssBytes(pid),
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      const gone = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await gone;
      clearTimeout(t);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        return;
      }
      await gone;
    },
  };
}

/**
 * Writes `dir/fulcrum.yaml`: one cluster `prod` whose members (`a`, `b`, …) listen on a port
 * nobody answers on, snapshots in `dir/data`. For tests of what does not need a live cluster.
 */
export async function writeDeadClusterConfig(
  dir: string,
  opts: { members?: number; snapshotMaxBytes?: number } = {},
): Promise<string> {
  const closed = await freePort();
  const members = Array.from(
    { length: opts.members ?? 1 },
    (_, i) => `      - { url: "http://127.0.0.${i + 1}:${closed}", name: ${String.fromCharCode(97 + i)} }`,
  );
  const file = path.join(dir, 'fulcrum.yaml');
  writeFileSync(
    file,
    [
      'pollIntervalMs: 1000',
      'timeoutMs: 300',
      'snapshots:',
      `  dataDir: ${path.join(dir, 'data')}`,
      ...(opts.snapshotMaxBytes ? [`  maxBytes: ${opts.snapshotMaxBytes}`] : []),
      'clusters:',
      '  - name: prod',
      '    endpoints:',
      ...members,
      '',
    ].join('\n'),
  );
  return file;
}
