// npm run bench:detect [-- --runs 3 --faults skew-weights,quota --keep]
//
// Time to detect, end to end: each fault of dev/faults/ is injected into a real local stack
// (etcd ×3 behind HAProxy, background load), and a production Fulcrum (`next start`) watches
// it; an HTTP client on Fulcrum's SSE stream (GET /api/clusters/local/stream) timestamps every
// `state`/`delta` event as it arrives. Per run:
//   detect = arrival of the first event whose findings contain the expected finding
//            − FaultRun.injectedAt (when the fault took effect)
//   clear  = arrival of the first event without it − the moment undo() was called
// Before each run the bench waits until every member is up, every HAProxy server is UP and no
// finding other than info is left (held for 3 events). Medians over --runs runs per fault;
// the Markdown table is printed and written to bench/results/detect-<date>.md (or
// detect-<date>-<time>.md when that day already has one). Fulcrum serves a private copy of the
// build (.next-bench-detect-<pid>, removed on exit) so that a concurrent `next build` of this
// checkout cannot change it mid-run. Ctrl-C: everything is stopped and removed, no report.
//
// Options: --runs N (3)  --faults a,b (all)  --detect-timeout S (90)  --clear-timeout S (150)
//          --settle-timeout S (180)  --keep (keep the temp dir with every log)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FAULT_NAMES, injectFault, isFaultName, type FaultName, type FaultRun } from '../dev/faults';
import { freePort, onShutdown } from '../dev/lib/procs';
import { startStack, type Stack } from '../dev/stack';
import { median } from '../lib/stats';
import { applyDelta } from '../lib/stream/delta';
import type { ClusterDelta, ClusterState, Finding, MemberState, Severity } from '../lib/types';

// ---------------------------------------------------------------------------------------------
// options

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    faults: { type: 'string', default: FAULT_NAMES.join(',') },
    'detect-timeout': { type: 'string', default: '90' },
    'clear-timeout': { type: 'string', default: '150' },
    'settle-timeout': { type: 'string', default: '180' },
    keep: { type: 'boolean', default: false },
  },
});

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) usage(`--${name}: a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}
function usage(msg: string): never {
  console.error(
    `bench:detect: ${msg}\nusage: npm run bench:detect -- [--runs N] [--faults ${FAULT_NAMES.join(',')}] [--keep]`,
  );
  process.exit(2);
}

const RUNS = positiveInt('runs', values.runs!);
const DETECT_TIMEOUT_MS = positiveInt('detect-timeout', values['detect-timeout']!) * 1000;
const CLEAR_TIMEOUT_MS = positiveInt('clear-timeout', values['clear-timeout']!) * 1000;
const SETTLE_TIMEOUT_MS = positiveInt('settle-timeout', values['settle-timeout']!) * 1000;
const FAULTS: FaultName[] = (() => {
  const names = values
    .faults!.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) usage('--faults: at least one fault');
  for (const n of names)
    if (!isFaultName(n)) usage(`--faults: unknown fault ${JSON.stringify(n)}; one of ${FAULT_NAMES.join(', ')}`);
  return [...new Set(names)] as FaultName[];
})();

const QUOTA_BYTES = 24 * 1024 * 1024;
const LOAD_RATE = 150;
const STABLE_EVENTS = 3;
const WARMUP_EVENTS = 15;

// ---------------------------------------------------------------------------------------------
// what each fault should raise

interface Expectation {
  kind: string;
  /** 'run': on the FaultRun's member; 'any': cluster-wide (any member). */
  on: 'run' | 'any';
  severity?: Severity;
}

const EXPECT: Record<FaultName, Expectation> = {
  'skew-weights': { kind: 'request-skew', on: 'run' },
  'pin-load': { kind: 'connection-pinning', on: 'run' },
  'leader-churn': { kind: 'leader-churn', on: 'any' },
  quota: { kind: 'quota-pressure', on: 'run', severity: 'critical' },
  freeze: { kind: 'member-down', on: 'run' },
  kill: { kind: 'member-down', on: 'run' },
  'tcp-check': { kind: 'health-check-gap', on: 'any' },
  'freeze-behind-tcp-check': { kind: 'unhealthy-serving', on: 'run' },
  'cpu-throttle': { kind: 'member-stall', on: 'run' },
  'check-path': { kind: 'balancer-outage', on: 'any', severity: 'critical' },
  drain: { kind: 'balancer-drain', on: 'run', severity: 'info' },
  'slow-wal': { kind: 'slow-disk', on: 'run' },
};

function findingLabel(e: Expectation): string {
  return `${e.kind}${e.severity ? ` (${e.severity})` : ''}${e.on === 'run' ? ' on the member' : ''}`;
}

// ---------------------------------------------------------------------------------------------
// small helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const stamp = () => new Date().toISOString().slice(11, 19);
const log = (line: string) => console.log(`[${stamp()}] ${line}`);
const secs = (ms: number) => (ms / 1000).toFixed(1);

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} did not finish within ${secs(ms)} s`)), ms);
    }),
  ]);
}

function tail(file: string, n = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

function machine(): { nproc: string; cpu: string; kernel: string } {
  let nproc = String(os.availableParallelism?.() ?? os.cpus().length);
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // keep Node's count
  }
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // keep Node's model
  }
  return { nproc, cpu, kernel: `${os.type()} ${os.release()}` };
}

// ---------------------------------------------------------------------------------------------
// Fulcrum: a private copy of the production build, `next start` on a free port

const ROOT = process.cwd();
const SRC_DIST = process.env.FULCRUM_DIST_DIR || '.next';

/** Builds if there is no build (or waits for someone else's build to finish). */
async function ensureBuild(runDir: string): Promise<void> {
  const buildId = path.join(ROOT, SRC_DIST, 'BUILD_ID');
  if (fs.existsSync(buildId)) return;
  const logFile = path.join(runDir, 'next-build.log');
  log(`no ${SRC_DIST}/BUILD_ID: running npx next build (log ${logFile}) …`);
  const out = fs.openSync(logFile, 'a');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('npx', ['next', 'build'], {
      cwd: ROOT,
      stdio: ['ignore', out, out],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    child.once('exit', (c) => resolve(c));
    child.once('error', () => resolve(-1));
  });
  fs.closeSync(out);
  if (code === 0 && fs.existsSync(buildId)) return;
  // Most likely another build of this checkout holds the lock: wait for its BUILD_ID.
  log(`next build exited with ${code}; waiting up to 10 min for ${SRC_DIST}/BUILD_ID (another build running?)`);
  const deadline = Date.now() + 10 * 60_000;
  while (!fs.existsSync(buildId)) {
    if (Date.now() > deadline)
      throw new Error(
        `no ${SRC_DIST}/BUILD_ID after next build (exit ${code}); last lines of ${logFile}:\n${tail(logFile)}`,
      );
    await sleep(2_000);
  }
}

/**
 * Copies the build (without its cache) to a private dist dir, so that another engineer's
 * `next build` of this checkout during the 15-minute bench cannot pull it from under us.
 */
function privateDist(): string {
  const src = path.join(ROOT, SRC_DIST);
  const name = `.next-bench-detect-${process.pid}`;
  const dst = path.join(ROOT, name);
  for (let attempt = 1; ; attempt++) {
    const id = fs.readFileSync(path.join(src, 'BUILD_ID'), 'utf8');
    fs.rmSync(dst, { recursive: true, force: true });
    fs.cpSync(src, dst, {
      recursive: true,
      filter: (p) => {
        const rel = path.relative(src, p);
        return (
          rel !== 'cache' &&
          rel !== 'dev' &&
          rel !== 'lock' &&
          !rel.startsWith(`cache${path.sep}`) &&
          !rel.startsWith(`dev${path.sep}`)
        );
      },
    });
    const after = fs.existsSync(path.join(src, 'BUILD_ID'))
      ? fs.readFileSync(path.join(src, 'BUILD_ID'), 'utf8')
      : null;
    if (after === id && fs.readFileSync(path.join(dst, 'BUILD_ID'), 'utf8') === id) return name;
    if (attempt >= 3) throw new Error(`${SRC_DIST} kept changing while it was copied (a build running?)`);
  }
}

interface FulcrumServer {
  url: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
  killNow(): void;
}

/** Same as e2e/fixtures.ts startFulcrum, with the private dist dir. */
async function startFulcrum(configFile: string, dir: string, distDir: string): Promise<FulcrumServer> {
  const port = await freePort();
  const logFile = path.join(dir, `fulcrum-${port}.log`);
  const out = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    path.join(ROOT, 'node_modules/.bin/next'),
    ['start', '-p', String(port), '-H', '127.0.0.1'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        FULCRUM_CONFIG: configFile,
        FULCRUM_DIST_DIR: distDir,
        NEXT_TELEMETRY_DISABLED: '1',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', out, out],
      detached: true,
    },
  );
  fs.closeSync(out);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const group = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
      return true;
    } catch {
      return false;
    }
  };
  const server: FulcrumServer = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) {
        group('SIGKILL');
        return;
      }
      if (!group('SIGTERM')) return;
      const t = setTimeout(() => group('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
      group('SIGKILL'); // stragglers in its group
    },
    killNow() {
      group('SIGKILL');
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (r.ok) return server;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null)
      throw new Error(`fulcrum exited with ${child.exitCode}; last lines of ${logFile}:\n${tail(logFile)}`);
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`fulcrum did not answer within 60 s; last lines of ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(250);
  }
}

// ---------------------------------------------------------------------------------------------
// SSE client: every state/delta event, with the time it arrived

interface Update {
  at: number;
  type: 'state' | 'delta';
  seq: number;
  findings: Array<Pick<Finding, 'kind' | 'members' | 'severity' | 'title'>>;
  members: Array<Pick<MemberState, 'endpoint' | 'name' | 'status' | 'reachable'>>;
  balancer: { ok: boolean; servers: Array<{ name: string; status: string }> } | null;
}

class StreamWatcher {
  private view: ClusterState | null = null;
  readonly updates: Update[] = [];
  private waiters = new Set<() => void>();
  private abort = new AbortController();
  private stopped = false;
  connects = 0;
  lastError: string | null = null;

  constructor(private readonly url: string) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.notify();
  }

  /** Resolves at the next update (or after ms). */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const res = await fetch(this.url, { headers: { Accept: 'text/event-stream' }, signal: this.abort.signal });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        this.connects++;
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const at = Date.now();
          buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
          let cut: number;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            this.onBlock(block, at);
          }
        }
        this.lastError = 'stream ended';
      } catch (err) {
        if (this.stopped) return;
        this.lastError = (err as Error).message;
      }
      if (!this.stopped) await sleep(1_000);
    }
  }

  private onBlock(block: string, at: number): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if ((event !== 'state' && event !== 'delta') || data.length === 0) return;
    // The browser's copy: the full state, then each delta applied to it.
    let msg: ClusterState;
    try {
      const parsed = JSON.parse(data.join('\n'));
      if (event === 'state') msg = parsed as ClusterState;
      else {
        const r = this.view ? applyDelta(this.view, parsed as ClusterDelta) : null;
        if (r?.kind !== 'applied') return;
        msg = r.state;
      }
    } catch {
      return;
    }
    this.view = msg;
    this.updates.push({
      at,
      type: event,
      seq: msg.seq,
      findings: (msg.findings ?? []).map((f) => ({
        kind: f.kind,
        members: f.members,
        severity: f.severity,
        title: f.title,
      })),
      members: (msg.members ?? []).map((m) => ({
        endpoint: m.endpoint,
        name: m.name,
        status: m.status,
        reachable: m.reachable,
      })),
      balancer: msg.balancer
        ? { ok: msg.balancer.ok, servers: msg.balancer.servers.map((s) => ({ name: s.name, status: s.status })) }
        : null,
    });
    this.notify();
  }

  /** The first update at index ≥ from matching pred, waiting for new ones until deadline. */
  async first(
    from: number,
    pred: (u: Update) => boolean,
    deadline: number,
  ): Promise<{ index: number; update: Update } | null> {
    let i = from;
    for (;;) {
      for (; i < this.updates.length; i++) if (pred(this.updates[i])) return { index: i, update: this.updates[i] };
      const left = deadline - Date.now();
      if (left <= 0 || this.stopped) return null;
      await this.next(Math.min(left, 5_000));
    }
  }

  latest(): Update | null {
    return this.updates[this.updates.length - 1] ?? null;
  }
}

/** Why this update is not a calm cluster, or null when it is. */
function unsettled(u: Update): string | null {
  const down = u.members.filter((m) => m.status !== 'up' || !m.reachable);
  if (down.length) return `members not up: ${down.map((m) => `${m.name} ${m.status}`).join(', ')}`;
  if (u.balancer) {
    if (!u.balancer.ok) return 'balancer unreadable';
    const notUp = u.balancer.servers.filter((s) => !s.status.startsWith('UP'));
    if (notUp.length) return `haproxy servers not UP: ${notUp.map((s) => `${s.name} ${s.status}`).join(', ')}`;
  }
  const loud = u.findings.filter((f) => f.severity !== 'info');
  if (loud.length) return `findings: ${loud.map((f) => `${f.kind}/${f.severity} (${f.title})`).join('; ')}`;
  return null;
}

/**
 * Waits until `stable` consecutive updates are calm; returns how long it took and what it
 * waited for (kind/severity of the findings, members down…). Throws with what was left.
 */
async function settle(
  w: StreamWatcher,
  timeoutMs: number,
  stable = STABLE_EVENTS,
): Promise<{ ms: number; waitedFor: string[] }> {
  const t0 = Date.now();
  const deadline = t0 + timeoutMs;
  let from = w.updates.length;
  let calm = 0;
  let last = 'no update from the stream';
  const waitedFor = new Set<string>();
  for (;;) {
    for (; from < w.updates.length; from++) {
      const u = w.updates[from];
      const why = unsettled(u);
      calm = why ? 0 : calm + 1;
      if (why) {
        last = why;
        for (const f of u.findings) if (f.severity !== 'info') waitedFor.add(`${f.kind}/${f.severity}`);
        if (why.startsWith('members') || why.startsWith('haproxy')) waitedFor.add(why.split(':')[0]);
      }
      if (calm >= stable) return { ms: Date.now() - t0, waitedFor: [...waitedFor] };
    }
    if (Date.now() > deadline) {
      throw new Error(
        `cluster did not settle within ${secs(timeoutMs)} s (all members up, every HAProxy server UP, no finding above info); last seen: ${last}${w.lastError ? `; stream: ${w.lastError}` : ''}`,
      );
    }
    await w.next(Math.min(5_000, deadline - Date.now() + 10));
  }
}

// ---------------------------------------------------------------------------------------------
// the runs

interface RunResult {
  fault: FaultName;
  run: number;
  ok: boolean;
  member: string | null;
  /** injectedAt − the moment injectFault was called. */
  injectMs?: number;
  detectMs?: number;
  /** Arrival of the finding − the moment injectFault was called. */
  detectFromCallMs?: number;
  clearMs?: number;
  undoMs?: number;
  settleMs?: number;
  /** What the settle before this run waited for. */
  settleWaitedFor?: string[];
  /** The finding went away (or flapped) between detection and undo. */
  flapped?: boolean;
  error?: string;
}

function matcher(e: Expectation, endpoint: string | null): (f: Update['findings'][number]) => boolean {
  return (f) => f.kind === e.kind && (e.on === 'any' || (endpoint !== null && f.members.includes(endpoint)));
}

let current: FaultRun | null = null;
/** Set by Ctrl-C (SIGINT/SIGTERM/SIGHUP): stop, clean up, write no report. */
let interrupted: string | null = null;

async function oneRun(stack: Stack, w: StreamWatcher, fault: FaultName, n: number): Promise<RunResult> {
  const res: RunResult = { fault, run: n, ok: false, member: null };
  const e = EXPECT[fault];
  try {
    const st = await settle(w, SETTLE_TIMEOUT_MS);
    res.settleMs = st.ms;
    res.settleWaitedFor = st.waitedFor;
  } catch (err) {
    res.error = `before injecting: ${(err as Error).message}`;
    return res;
  }
  const from = w.updates.length;
  const calledAt = Date.now();
  let run: FaultRun;
  try {
    run = await injectFault(stack, fault);
  } catch (err) {
    res.error = `inject failed: ${(err as Error).message}`;
    return res;
  }
  current = run;
  res.member = run.member;
  res.injectMs = run.injectedAt - calledAt;
  const endpoint =
    run.member === null ? null : (stack.cluster.members.find((m) => m.name === run.member)?.clientUrl ?? null);
  if (e.on === 'run' && endpoint === null) {
    res.error = `fault reported member ${run.member}, which is not in the stack`;
    await run.undo().catch(() => {});
    current = null;
    return res;
  }
  const has = matcher(e, endpoint);
  const hasExpected = (u: Update) => u.findings.some((f) => has(f) && (!e.severity || f.severity === e.severity));
  const hasKind = (u: Update) => u.findings.some(has);
  try {
    const hit = await w.first(from, hasExpected, run.injectedAt + DETECT_TIMEOUT_MS);
    if (!hit) {
      const last = w.latest();
      throw new Error(
        `no ${findingLabel(e)} (${run.member ?? 'cluster-wide'}) within ${secs(DETECT_TIMEOUT_MS)} s of the injection; last findings: ${last?.findings.map((f) => `${f.kind}/${f.severity}`).join(', ') || 'none'}`,
      );
    }
    res.detectMs = hit.update.at - run.injectedAt;
    res.detectFromCallMs = hit.update.at - calledAt;
    const undoFrom = w.updates.length;
    res.flapped = w.updates.slice(hit.index, undoFrom).some((u) => !hasKind(u));
    const undoAt = Date.now();
    await run.undo();
    res.undoMs = Date.now() - undoAt;
    current = null;
    const gone = await w.first(undoFrom, (u) => !hasKind(u), undoAt + CLEAR_TIMEOUT_MS);
    if (!gone) throw new Error(`${e.kind} still raised ${secs(CLEAR_TIMEOUT_MS)} s after undo() was called`);
    res.clearMs = gone.update.at - undoAt;
    res.ok = true;
  } catch (err) {
    res.error = (err as Error).message;
  } finally {
    if (current) {
      await run.undo().catch((err) => {
        res.error = `${res.error ?? ''}; undo failed: ${(err as Error).message}`;
      });
      current = null;
    }
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// report

function report(
  results: RunResult[],
  meta: { started: Date; finished: Date; mach: ReturnType<typeof machine>; fulcrum: string },
): string {
  const rows = FAULTS.map((fault) => {
    const rs = results.filter((r) => r.fault === fault);
    const ok = rs.filter((r) => r.ok);
    const det = ok.map((r) => r.detectMs!);
    const clr = ok.map((r) => r.clearMs!);
    const s = (xs: number[], f: (x: number[]) => number | null) => (xs.length ? secs(f(xs) ?? Number.NaN) : '–');
    return `| ${fault} | ${findingLabel(EXPECT[fault])} | ${s(det, median)} | ${s(det, (x) => Math.min(...x))} | ${s(det, (x) => Math.max(...x))} | ${s(clr, median)} | ${ok.length}/${rs.length} |`;
  });
  const runLines = results.map((r) => {
    const parts = [
      `${r.fault} #${r.run}`,
      r.member ? `member ${r.member}` : null,
      r.detectMs !== undefined ? `detect ${secs(r.detectMs)} s` : null,
      r.clearMs !== undefined ? `clear ${secs(r.clearMs)} s` : null,
      r.detectFromCallMs !== undefined ? `${secs(r.detectFromCallMs)} s after injectFault() was called` : null,
      r.injectMs !== undefined ? `inject took ${secs(r.injectMs)} s` : null,
      r.undoMs !== undefined ? `undo took ${secs(r.undoMs)} s` : null,
      r.settleMs !== undefined
        ? `settled in ${secs(r.settleMs)} s${r.settleWaitedFor?.length ? ` (waited for ${r.settleWaitedFor.join(', ')})` : ''}`
        : null,
      r.flapped ? 'finding flapped before undo' : null,
      r.ok ? 'ok' : `FAILED: ${r.error}`,
    ].filter(Boolean);
    return `- ${parts.join(', ')}`;
  });
  return [
    `# Fulcrum detection latency (${meta.started.toISOString().slice(0, 10)})`,
    '',
    `\`npm run bench:detect -- --runs ${RUNS}${FAULTS.length === FAULT_NAMES.length ? '' : ` --faults ${FAULTS.join(',')}`}\`, ${meta.started.toISOString()} → ${meta.finished.toISOString()}`,
    '',
    `Machine: ${meta.mach.nproc} CPUs (nproc), ${meta.mach.cpu}, ${meta.mach.kernel}, Node ${process.version}; other work was running on it.`,
    '',
    `Stack: etcd ×3 (3.4, weights 30/20/10) behind HAProxy (L4, HTTP /health checks every 1 s), ${LOAD_RATE} req/s background load, no Prometheus, ` +
      `etcd-3 --quota-backend-bytes ${QUOTA_BYTES / 1024 ** 2} MiB (auto-compaction periodic 5m on every member, as the dev CLIs do); ` +
      `Fulcrum ${meta.fulcrum} (production \`next start\`, poll every 1 s).`,
    '',
    'detect = arrival on the SSE stream (`/api/clusters/local/stream`) of the first event carrying the finding − `FaultRun.injectedAt`; ' +
      'clear = first event without a finding of that kind (on that member) − the call to `undo()`. Seconds; median over the runs that succeeded.',
    '',
    '| fault | finding | median detect (s) | min | max | median clear (s) | runs ok |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '## Runs',
    '',
    ...runLines,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// main

async function main(): Promise<void> {
  const started = new Date();
  const mach = machine();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-bench-detect-'));
  let stack: Stack | null = null;
  let fulcrum: FulcrumServer | null = null;
  let watcher: StreamWatcher | null = null;
  let dist: string | null = null;
  let cleaned: Promise<void> | null = null;

  const cleanup = (why: string) =>
    (cleaned ??= (async () => {
      if (why !== 'done') log(`cleaning up (${why}) …`);
      // The stack is thrown away, so undo is only a courtesy (it stops leader-churn's loop).
      if (current) await withTimeout(current.undo(), 2_000, 'undo').catch(() => {});
      watcher?.stop();
      await Promise.all([fulcrum?.stop().catch(() => {}), stack?.stop().catch(() => {})]);
      removeDirs();
      if (values.keep) log(`logs kept in ${runDir}`);
    })());
  const removeDirs = () => {
    if (dist) fs.rmSync(path.join(ROOT, dist), { recursive: true, force: true });
    if (!values.keep) fs.rmSync(runDir, { recursive: true, force: true });
  };
  onShutdown((sig) => {
    interrupted = sig;
    return cleanup(sig);
  });
  // Synchronous last resort (e.g. the supervisor's 10 s limit on shutdown hooks ran out).
  process.on('exit', () => {
    fulcrum?.killNow();
    try {
      removeDirs();
    } catch {
      // best effort
    }
  });

  try {
    log(
      `bench:detect: ${FAULTS.length} fault(s) × ${RUNS} run(s); machine: ${mach.nproc} CPUs, ${mach.cpu}; temp dir ${runDir}`,
    );
    await ensureBuild(runDir);
    dist = privateDist();
    const buildId = fs.readFileSync(path.join(ROOT, dist, 'BUILD_ID'), 'utf8').trim();
    log(`build ${buildId} copied to ${dist}`);

    log('starting the stack …');
    stack = await startStack({
      dir: path.join(runDir, 'stack'),
      prometheus: false,
      loadRate: LOAD_RATE,
      quotaBackendBytes: { 2: QUOTA_BYTES },
      // As dev/lib/cli.ts does with a small quota: without compaction the background load's
      // history alone would push etcd-3 toward quota-pressure during the 15-minute bench.
      memberFlags: () => ['--auto-compaction-mode', 'periodic', '--auto-compaction-retention', '5m'],
      // etcd-1's WAL on a loop device of its own: the slow-wal fault throttles it.
      walOnLoopDevice: 0,
      log: (l) => log(`  ${l}`),
    });
    log('starting Fulcrum …');
    fulcrum = await startFulcrum(stack.configFile, runDir, dist);
    log(`  fulcrum: ${fulcrum.url} (pid ${fulcrum.pid}, log ${fulcrum.logFile})`);
    watcher = new StreamWatcher(`${fulcrum.url}/api/clusters/local/stream`);
    watcher.start();
    const first = await watcher.first(0, () => true, Date.now() + 30_000);
    if (!first)
      throw new Error(
        `no event on ${fulcrum.url}/api/clusters/local/stream within 30 s (${watcher.lastError ?? 'no error'})`,
      );
    log('waiting for a calm cluster (all up, no findings above info) …');
    // Longer at start: rates, scores and windows need a few polls before detectors can fire.
    const s0 = await settle(watcher, SETTLE_TIMEOUT_MS, WARMUP_EVENTS);
    log(`  calm after ${secs(s0.ms)} s${s0.waitedFor.length ? ` (waited for ${s0.waitedFor.join(', ')})` : ''}`);

    const results: RunResult[] = [];
    for (const fault of FAULTS) {
      for (let n = 1; n <= RUNS; n++) {
        log(`${fault} #${n}: settle, inject, wait for ${findingLabel(EXPECT[fault])} …`);
        const r = await oneRun(stack, watcher, fault, n);
        if (interrupted) return;
        results.push(r);
        log(
          r.ok
            ? `  ${fault} #${n} on ${r.member ?? 'cluster'}: settled in ${secs(r.settleMs!)} s${r.settleWaitedFor?.length ? ` (waited for ${r.settleWaitedFor.join(', ')})` : ''}, detect ${secs(r.detectMs!)} s, clear ${secs(r.clearMs!)} s (inject took ${secs(r.injectMs!)} s, undo ${secs(r.undoMs!)} s${r.flapped ? ', flapped' : ''})`
            : `  ${fault} #${n} FAILED: ${r.error}`,
        );
      }
    }

    const md = report(results, { started, finished: new Date(), mach, fulcrum: `build ${buildId}` });
    const outDir = path.join(ROOT, 'bench', 'results');
    fs.mkdirSync(outDir, { recursive: true });
    // One file per day; a second run that day gets the time too, so it never overwrites the first.
    let outFile = path.join(outDir, `detect-${started.toISOString().slice(0, 10)}.md`);
    if (fs.existsSync(outFile))
      outFile = outFile.replace(/\.md$/, `-${started.toISOString().slice(11, 19).replaceAll(':', '')}.md`);
    fs.writeFileSync(outFile, md);
    console.log(`\n${md}`);
    log(`written to ${path.relative(ROOT, outFile)}; stream reconnects: ${watcher.connects - 1}`);
  } finally {
    await cleanup('done');
  }
}

// On Ctrl-C the supervisor (dev/lib/procs.ts) runs the cleanup hook and exits with 130.
main().then(
  () => {
    if (!interrupted) process.exit(0);
  },
  (err) => {
    if (interrupted) return;
    console.error(`bench:detect failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
