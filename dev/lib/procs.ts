// A small process supervisor for the local dev/test stack.
//
// Every child runs in its own process group (detached), writes stdout+stderr to a log file
// (append), and is remembered here so that stopAll() — and the parent's SIGINT/SIGTERM/exit
// handlers, installed on the first spawn — can take the whole group down.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface SpawnOptions {
  cwd?: string;
  /** Merged over process.env. */
  env?: Record<string, string | undefined>;
  /** stdout (and stderr unless stderrFile is given) are appended here. */
  logFile: string;
  /** Optional separate file for stderr. */
  stderrFile?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** Set once the process has exited. */
  exit: ExitInfo | null;
}

const STOP_GRACE_MS = 5_000;
const managed = new Set<ManagedProcess>();
const shutdownHooks: Array<(signal: NodeJS.Signals) => void | Promise<void>> = [];
let handlersInstalled = false;
let shuttingDown = false;
let shutdownStartedAt = 0;
const DUPLICATE_SIGNAL_MS = 1_500;

export function isRunning(proc: ManagedProcess): boolean {
  return proc.exit === null;
}

/** Processes started through spawnManaged that have not exited yet. */
export function runningProcesses(): ManagedProcess[] {
  return [...managed].filter(isRunning);
}

/** Spawns `cmd args` in its own process group, output appended to logFile. */
export function spawnManaged(name: string, cmd: string, args: readonly string[], opts: SpawnOptions): ManagedProcess {
  installExitHandlers();
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const outFd = fs.openSync(opts.logFile, 'a');
  const errFd = opts.stderrFile ? fs.openSync(opts.stderrFile, 'a') : outFd;
  let child: ChildProcess;
  try {
    child = spawn(cmd, [...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      detached: true,
      stdio: ['ignore', outFd, errFd],
    });
  } finally {
    fs.closeSync(outFd);
    if (errFd !== outFd) fs.closeSync(errFd);
  }
  // Attached before anything can throw: an 'error' event without a listener would crash us.
  child.on('error', (err) => {
    fs.appendFileSync(opts.logFile, `\n[procs] ${name}: ${err.message}\n`);
  });
  if (child.pid === undefined) {
    throw new Error(`could not start ${name}: ${cmd} did not spawn (is it installed and executable?)`);
  }
  const pid = child.pid;
  let proc!: ManagedProcess;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      proc.exit = { code, signal };
      managed.delete(proc);
      resolve(proc.exit);
    });
  });
  proc = { name, pid, cmd, args: [...args], logFile: opts.logFile, child, exited, exit: null };
  managed.add(proc);
  return proc;
}

function signalGroup(proc: ManagedProcess, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-proc.pid, signal);
    return true;
  } catch {
    return false; // group already gone
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The fields of /proc/<pid>/stat after the command name (state, ppid, pgrp, ...: field 3 of
 * proc(5) is index 0 here), or null when the process is gone. The name may hold spaces and ')'.
 */
export function procStatFields(pid: number | string): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists (zombies count until reaped). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the process group, then SIGKILL after graceMs. Resolves once the leader has exited. */
export async function stopProcess(proc: ManagedProcess, graceMs = STOP_GRACE_MS): Promise<ExitInfo> {
  if (!isRunning(proc)) {
    signalGroup(proc, 'SIGKILL'); // stragglers left in the group, if any
    return proc.exit!;
  }
  signalGroup(proc, 'SIGCONT'); // a SIGSTOPped process can't act on SIGTERM
  signalGroup(proc, 'SIGTERM');
  const timedOut = Symbol('timeout');
  const first = await Promise.race([proc.exited, delay(graceMs).then(() => timedOut)]);
  signalGroup(proc, 'SIGKILL'); // the leader may be gone while others in its group are not
  return first === timedOut ? proc.exited : (first as ExitInfo);
}

/** Stops every process started here, in parallel. */
export async function stopAll(graceMs = STOP_GRACE_MS): Promise<void> {
  await Promise.all(runningProcesses().map((p) => stopProcess(p, graceMs)));
}

/** SIGKILL to the group; resolves once the leader has exited. */
export async function kill9(proc: ManagedProcess): Promise<ExitInfo> {
  signalGroup(proc, 'SIGKILL');
  return proc.exited;
}

export function sigstop(proc: ManagedProcess): void {
  if (!signalGroup(proc, 'SIGSTOP')) throw new Error(`${proc.name} (pid ${proc.pid}) is not running`);
}

export function sigcont(proc: ManagedProcess): void {
  if (!signalGroup(proc, 'SIGCONT')) throw new Error(`${proc.name} (pid ${proc.pid}) is not running`);
}

/**
 * Runs before the supervisor's own SIGINT/SIGTERM cleanup (last registered first). Use it to
 * stop things gracefully in order and print where logs are. Hooks get 10 s in total.
 */
export function onShutdown(hook: (signal: NodeJS.Signals) => void | Promise<void>): () => void {
  installExitHandlers();
  shutdownHooks.push(hook);
  return () => {
    const i = shutdownHooks.indexOf(hook);
    if (i >= 0) shutdownHooks.splice(i, 1);
  };
}

function killAllNow(): void {
  for (const p of managed) {
    signalGroup(p, 'SIGCONT');
    signalGroup(p, 'SIGKILL');
  }
}

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) {
    // Wrappers (npm exec, the tsx CLI) relay the terminal's Ctrl-C, so one keypress can arrive
    // two or three times at once. Only a signal well after the first means "stop waiting".
    if (Date.now() - shutdownStartedAt < DUPLICATE_SIGNAL_MS) return;
    killAllNow();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }
  shuttingDown = true;
  shutdownStartedAt = Date.now();
  const hooks = [...shutdownHooks].reverse();
  const runHooks = (async () => {
    for (const hook of hooks) {
      try {
        await hook(signal);
      } catch (err) {
        console.error(`[procs] shutdown hook failed: ${(err as Error).message}`);
      }
    }
  })();
  await Promise.race([runHooks, delay(10_000)]);
  await stopAll();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL whatever is left.
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => void shutdown(sig));
  }
}

// ---------------------------------------------------------------------------------------------
// Ports

const handedOut = new Set<number>();

async function bindEphemeral(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve(srv));
  });
}

function closeServer(srv: net.Server): Promise<void> {
  return new Promise((resolve) => srv.close(() => resolve()));
}

/**
 * n distinct free TCP ports on 127.0.0.1. All are held open together while choosing, and no port
 * handed out earlier by this process is handed out again.
 */
export async function freePorts(n: number): Promise<number[]> {
  const held: net.Server[] = [];
  const ports: number[] = [];
  try {
    for (let attempts = 0; ports.length < n; attempts++) {
      if (attempts > n + 100) throw new Error(`could not find ${n} free ports on 127.0.0.1`);
      const srv = await bindEphemeral();
      held.push(srv);
      const port = (srv.address() as net.AddressInfo).port;
      if (!handedOut.has(port)) ports.push(port);
    }
  } finally {
    await Promise.all(held.map(closeServer));
  }
  for (const p of ports) handedOut.add(p);
  return ports;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/** Resolves true if something accepts TCP connections on 127.0.0.1:port. */
export function portAccepts(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

// ---------------------------------------------------------------------------------------------
// Polling

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Finishes the sentence "timed out after N s waiting for …". */
  what: string;
  /** Checked every round: a non-null string aborts the wait with that message (e.g. "process exited"). */
  abortIf?: () => string | null;
}

/**
 * Polls fn until it returns a value other than false/null/undefined, and returns that value.
 * Exceptions thrown by fn count as "not yet"; the last one is quoted in the timeout error.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 20_000, intervalMs = 250, what, abortIf }: WaitOptions,
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const abort = abortIf?.();
    if (abort) throw new Error(`gave up waiting for ${what}: ${abort}`);
    try {
      const v = await fn();
      if (v !== false && v !== null && v !== undefined) return v as Exclude<T, false | null | undefined>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const last = lastError ? ` (last error: ${(lastError as Error).message ?? String(lastError)})` : '';
      throw new Error(`timed out after ${fmtSeconds(timeoutMs)} waiting for ${what}${last}`);
    }
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

export function fmtSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** Last n lines of a text file ('' if it can't be read), for error messages. */
export function tailFile(file: string, n = 10): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-n).join('\n');
  } catch {
    return '';
  }
}
