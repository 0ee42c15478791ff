// A bad day, on the real local stack with a production Fulcrum: Prometheus killed, slow (a
// delaying proxy in front of it) and answering garbage; an etcd member frozen (SIGSTOP) and
// killed; the snapshot store's filesystem full (a 2 MB tmpfs, mounted by the test: it needs
// root, as the test machine is). Each degrades what it must and nothing else: the server keeps
// answering, the cluster stream keeps ticking, the page renders, and a snapshot on a full disk is
// a clear 507 with nothing partial stored.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type FaultRun, injectFault } from '@/dev/faults';
import { type FulcrumServer, startFulcrum } from '@/dev/lib/fulcrum';
import { freePort, kill9 } from '@/dev/lib/procs';
import { startStack, type Stack } from '@/dev/stack';
import { RANGE_TIMEOUT_MS } from '@/lib/engine/cluster';
import type { ClusterState } from '@/lib/types';
import { SseReader, waitUntil } from './helpers';

// Waits are long: on a busy machine Fulcrum backs off to an 8 s poll and excuses timeouts during
// its own stalls (by design), and asks Prometheus about a down member every 5th poll only.
const WAIT_MS = 120_000;
const SLOW_HOLD_MS = RANGE_TIMEOUT_MS + 5_000;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-faultmatrix-'));
const storeDir = path.join(root, 'store');
let stack: Stack;
let f: FulcrumServer;
let proxy: http.Server;
let mode: 'pass' | 'slow' | 'garbage' = 'pass';
let mounted = false;
let stream: SseReader;
let lastSeq = 0;

/** Prometheus behind a proxy that can pass, hold every answer for 10 s, or answer garbage. */
async function startProxy(upstream: string): Promise<{ server: http.Server; url: string }> {
  const port = await freePort();
  const server = http.createServer((req, res) => {
    if (mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"success","data":{"resultType":"vector","result":[{"metric":');
      return;
    }
    const go = () => {
      const up = http.request(`${upstream}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy()); // upstream dead: the caller sees the connection drop
      req.pipe(up);
    };
    if (mode === 'slow') {
      // Past every deadline Fulcrum gives Prometheus: the live query's and the history range's.
      const t = setTimeout(go, SLOW_HOLD_MS);
      res.on('close', () => clearTimeout(t));
    } else go();
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${port}` };
}

async function state(): Promise<ClusterState> {
  const r = await fetch(`${f.url}/api/clusters/local`);
  expect(r.status).toBe(200);
  return (await r.json()) as ClusterState;
}

/** The stream delivers `n` more deltas, each with a higher seq. */
async function streamTicks(n: number): Promise<void> {
  let got = 0;
  while (got < n) {
    const ev = await stream.next(20_000);
    if (ev.event === 'delta' || ev.event === 'state') {
      const seq = (ev.data as { seq: number }).seq;
      if (ev.event === 'delta') expect(seq).toBeGreaterThan(lastSeq);
      lastSeq = seq;
      got++;
    }
  }
}

/** The server answers, the page renders, and the stream keeps ticking. */
async function stillServing(): Promise<void> {
  expect((await fetch(`${f.url}/api/health`)).status).toBe(200);
  const page = await fetch(`${f.url}/clusters/local`);
  expect(page.status).toBe(200);
  await page.text();
  await streamTicks(2);
}

function mountSmallFs(): void {
  fs.mkdirSync(storeDir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', storeDir], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(
      `the fault matrix mounts a 2 MB tmpfs for the snapshot store and needs root: ${(e as Error).message}`,
    );
  }
}

beforeAll(async () => {
  stack = await startStack({ dir: path.join(root, 'stack'), loadRate: 50 });
  const p = await startProxy(stack.prometheus!.url);
  proxy = p.server;
  mountSmallFs();
  mounted = true;
  const cfg = YAML.parse(fs.readFileSync(stack.configFile, 'utf8'));
  cfg.prometheus = { ...cfg.prometheus, url: p.url };
  cfg.snapshots = { dataDir: storeDir, createPerMinute: 1000 };
  const configFile = path.join(root, 'fulcrum.yaml');
  fs.writeFileSync(configFile, YAML.stringify(cfg));
  f = await startFulcrum(configFile, root);
  await waitUntil(async () => (await state()).members.every((m) => m.status === 'up'), WAIT_MS, 'all members up');
  const r = await fetch(`${f.url}/api/clusters/local/stream`);
  stream = new SseReader(r.body!);
  await streamTicks(1);
}, 300_000);

afterAll(async () => {
  await stream?.cancel();
  await f?.stop();
  proxy?.close();
  await stack?.stop();
  if (mounted) execFileSync('umount', [storeDir]);
  fs.rmSync(root, { recursive: true, force: true });
});

/** History from before the in-memory window comes from Prometheus: it answers anyway, saying what went wrong. */
async function historyFromPrometheus(): Promise<{ source: string; error: string | null }> {
  const now = Date.now();
  const r = await fetch(`${f.url}/api/clusters/local/history?from=${now - 2 * 3600_000}&to=${now}`);
  expect(r.status).toBe(200);
  return (await r.json()) as { source: string; error: string | null };
}

/**
 * Prometheus failing shows in the state. A timeout is the exception when Fulcrum itself is
 * overloaded (its own stalls excuse a source's timeouts, by design): then the engine source says
 * so, and the history request (never excused) still shows the timeout.
 */
async function promFails(why: RegExp, timeout = false): Promise<void> {
  const failing = (s: ClusterState) =>
    s.sources.prometheus?.ok === false || (timeout && s.sources.engine?.ok === false);
  await waitUntil(async () => failing(await state()), WAIT_MS, 'Prometheus failing');
  const s = await state();
  if (s.sources.prometheus?.ok === false) expect(s.sources.prometheus.error ?? '').toMatch(why);
  else console.log(`fault matrix: Prometheus timeouts excused while Fulcrum is overloaded: ${s.sources.engine?.error}`);
  expect(s.sources.etcd?.ok).toBe(true);
  expect(s.members.filter((m) => m.status === 'up')).toHaveLength(2);
  // History ranges are shared for a step of the range (lib/engine/history.ts): an answer from before
  // the fault may be served until the step ends, so wait for the range asked after it.
  let h: { source: string; error: string | null } = { source: '', error: null };
  await waitUntil(
    async () => why.test((h = await historyFromPrometheus()).error ?? ''),
    WAIT_MS,
    `the history range to fail with ${why}`,
  );
  expect(h.error ?? '').toMatch(why);
  await stillServing();
}

describe('fault matrix', { timeout: 420_000 }, () => {
  // Fulcrum asks Prometheus about members that do not answer, and for history older than its
  // memory: with one member down, every Prometheus fault shows in the live state.
  describe('Prometheus, while a member is down', () => {
    let down: FaultRun;
    beforeAll(async () => {
      down = await injectFault(stack, 'kill', { member: 2 });
      await waitUntil(async () => (await state()).members[2].status === 'down', WAIT_MS, 'member 3 down');
      await waitUntil(async () => (await state()).sources.prometheus?.ok === true, WAIT_MS, 'Prometheus asked');
      // A precondition (a busy Prometheus can miss the deadline of one history query).
      await waitUntil(
        async () => (await historyFromPrometheus()).source === 'prometheus',
        WAIT_MS,
        'history from Prometheus',
      );
    }, 300_000);
    afterAll(async () => {
      mode = 'pass';
      await down.undo();
      await waitUntil(async () => (await state()).members[2].status === 'up', WAIT_MS, 'member 3 back');
    }, 300_000);

    it('slow (answers held past every deadline): its source times out, etcd and the page carry on', async () => {
      mode = 'slow';
      await promFails(/no answer within/, true);
      mode = 'pass';
      await waitUntil(async () => (await state()).sources.prometheus?.ok === true, WAIT_MS, 'Prometheus back');
    });

    it('answering garbage: a clear source error, nothing else', async () => {
      mode = 'garbage';
      await promFails(/./);
      mode = 'pass';
      await waitUntil(async () => (await state()).sources.prometheus?.ok === true, WAIT_MS, 'Prometheus back');
    });
  });

  it('an etcd member frozen (SIGSTOP): it shows down, the others and the stream keep going', async () => {
    const run = await injectFault(stack, 'freeze', { member: 1 });
    try {
      await waitUntil(async () => (await state()).members[1].status !== 'up', WAIT_MS, 'the frozen member down');
      // The others carry on: if the frozen member led, they are 'unhealthy' (no leader) until
      // they elect one of themselves, which takes an election timeout or two.
      await waitUntil(
        async () => {
          const s = await state();
          return s.members[1].status !== 'up' && s.members.filter((m) => m.status === 'up').length === 2;
        },
        WAIT_MS,
        'the two other members up while the frozen one is not',
      );
      await stillServing();
    } finally {
      await run.undo();
    }
    await waitUntil(async () => (await state()).members[1].status === 'up', WAIT_MS, 'the member back');
  });

  it('an etcd member killed (kill -9): down, then up again after a restart', async () => {
    const run = await injectFault(stack, 'kill', { member: 2 });
    try {
      await waitUntil(async () => (await state()).members[2].status === 'down', WAIT_MS, 'the killed member down');
      await stillServing();
    } finally {
      await run.undo();
    }
    await waitUntil(async () => (await state()).members[2].status === 'up', WAIT_MS, 'the member back');
  });

  it('the snapshot store full: a clear 507, nothing partial stored, the live page unaffected', async () => {
    const create = () =>
      fetch(`${f.url}/api/snapshots`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cluster: 'local', rangeMs: 120_000, title: 'on a full disk' }),
      });
    const first = await create();
    expect(first.status).toBe(201);
    const listed = async () =>
      ((await (await fetch(`${f.url}/api/snapshots`)).json()) as { snapshots: unknown[] }).snapshots.length;
    const before = await listed();
    // Fill what is left of the filesystem.
    const filler = path.join(storeDir, 'filler');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'pipe' });
    } catch {
      // ENOSPC: full, as intended
    }
    // The WAL may take a write or two in space it already has: keep going until one needs room.
    let full: Response | null = null;
    for (let i = 0; i < 20 && (!full || full.status === 201); i++) full = await create();
    expect(full?.status).toBe(507);
    expect(((await full!.json()) as { error: string }).error).toMatch(/snapshot store \(SQLite\) is full/);
    await stillServing();
    fs.rmSync(filler);
    // Nothing partial: every stored row has its body and the database checks out.
    const db = new Database(path.join(storeDir, 'fulcrum-snapshots.sqlite'), { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const orphans = db
        .prepare(
          'SELECT COUNT(*) AS n FROM fulcrum_snapshots s LEFT JOIN fulcrum_snapshot_bodies b ON b.id = s.id WHERE b.id IS NULL',
        )
        .get() as { n: number };
      expect(orphans.n).toBe(0);
    } finally {
      db.close();
    }
    // With room again, snapshots work again.
    expect((await create()).status).toBe(201);
    expect(await listed()).toBeGreaterThan(before);
  });

  it('Prometheus killed (with a member down): its source fails, etcd and the page carry on', async () => {
    await kill9(stack.prometheus!.proc);
    const down = await injectFault(stack, 'kill', { member: 0 });
    try {
      // The member down and the other two up again: killing the leader means an election, during
      // which the survivors have no leader and show unhealthy (a clean-clone CI run caught one
      // survivor still without a leader when Prometheus' failure showed).
      await waitUntil(
        async () => {
          const s = await state();
          return s.members[0].status === 'down' && s.members.filter((m) => m.status === 'up').length === 2;
        },
        WAIT_MS,
        'member 1 down, the other two up',
      );
      await promFails(/./);
    } finally {
      await down.undo();
    }
  });
});
