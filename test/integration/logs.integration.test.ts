// Logs of the real local stack (etcd ×3 zap JSON logs, HAProxy rfc3164 log, load through it):
// freeze the leader (SIGSTOP, then SIGCONT) and SIGKILL a follower, then find the expected signal
// lines through queryLogs and through the LogSignalWatcher, from the config the stack wrote.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeader } from '../../dev/lib/etcd';
import { stopAll, waitFor } from '../../dev/lib/procs';
import { startStack, type Stack } from '../../dev/stack';
import { parseConfig, type ClusterConfig } from '../../lib/config/load';
import { queryLogs } from '../../lib/logs/query';
import type { LogLine } from '../../lib/logs/types';
import { LogSignalWatcher } from '../../lib/logs/watch';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const note = (line: string) => console.log(`[logs.integration] ${line}`);
const signalsOf = (lines: LogLine[]) => new Set(lines.flatMap((l) => l.signals));

describe('logs of the real local stack', () => {
  let dir: string;
  let stack: Stack;
  let cluster: ClusterConfig;
  let watcher: LogSignalWatcher;
  let leader: { i: number; name: string; url: string };
  let victim: { i: number; name: string; url: string };
  let freezeAt = 0;
  let thawAt = 0;
  let killAt = 0;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-logs-it-'));
    stack = await startStack({ dir, prometheus: false, loadRate: 100 });
    cluster = parseConfig(fs.readFileSync(stack.configFile, 'utf8'), stack.configFile, {}).clusters[0];
    watcher = new LogSignalWatcher(cluster, { keepMinutes: 30 });
    await watcher.poll();
    await sleep(3_000);
    const l = await waitFor(() => findLeader(stack.cluster.members), { what: 'a leader', timeoutMs: 20_000 });
    const li = stack.cluster.members.indexOf(l);
    leader = { i: li, name: l.name, url: l.clientUrl };
    const vi = (li + 1) % 3;
    victim = { i: vi, name: stack.cluster.members[vi].name, url: stack.cluster.members[vi].clientUrl };

    note(`SIGSTOP leader ${leader.name}`);
    freezeAt = Date.now();
    stack.cluster.freeze(leader.i);
    // Frozen until HAProxy has marked it DOWN (check inter 1 s, timeout 2 s, fall 3: ~9 s on an
    // idle machine; a fixed 10 s left a busy one no margin) and its peers had the time to elect
    // another leader (10 s at least: election timeout 1 s).
    await sleep(10_000);
    await waitFor(async () => /^DOWN/.test((await stack.haproxy.serverStats())[leader.name]?.status ?? ''), {
      what: `HAProxy to mark ${leader.name} DOWN`,
      timeoutMs: 60_000,
    });
    stack.cluster.thaw(leader.i);
    thawAt = Date.now();
    note(`SIGCONT ${leader.name}`);
    await stack.cluster.waitHealthy(30_000);
    await watcher.poll();

    note(`SIGKILL follower ${victim.name}`);
    killAt = Date.now();
    await stack.cluster.kill9(victim.i);
    await sleep(8_000);
    await waitFor(async () => /^DOWN/.test((await stack.haproxy.serverStats())[victim.name]?.status ?? ''), {
      what: `HAProxy to mark ${victim.name} DOWN`,
      timeoutMs: 60_000,
    });
    await stack.cluster.restart(victim.i);
    await stack.cluster.waitMemberHealthy(victim.i, 30_000);
    await sleep(3_000);
  }, 300_000);

  afterAll(async () => {
    await watcher?.close();
    await stack?.stop();
    await stopAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the frozen leader: its own lines after SIGCONT, and HAProxy marking it DOWN', async () => {
    const from = freezeAt - 2_000;
    const to = Date.now();
    const own = await queryLogs(cluster, leader.name, { from, to, limit: 1000, source: 'member' });
    expect(own.errors).toEqual([]);
    const s = signalsOf(own.lines);
    note(`${leader.name} signals: ${[...s].join(', ')}`);
    // Back from the pause it finds a newer term and follows the new leader.
    expect(s.has('leader-changed') || s.has('heartbeat-late')).toBe(true);
    expect(own.lines.every((l) => l.t === null || (l.t >= from && l.t <= to))).toBe(true);
    // Newest first, in the order etcd wrote them: zap stamps a line's time before it takes the
    // write lock, so goroutines that resume together (after SIGCONT) write a few lines a few
    // milliseconds out of order (seen: 7 ms). File order is kept (pages follow file positions);
    // the times only ever step back by such a hair.
    const times = own.lines.map((l) => l.t).filter((t): t is number => t !== null);
    expect(times.length).toBeGreaterThan(1);
    expect(times[0]).toBeGreaterThan(times.at(-1)!);
    for (let k = 1; k < times.length; k++) expect(times[k]).toBeLessThanOrEqual(times[k - 1] + 250);

    const lb = await queryLogs(cluster, leader.name, { from, to: thawAt + 5_000, limit: 1000, source: 'balancer' });
    expect(lb.errors).toEqual([]);
    const down = lb.lines.filter((l) => l.signals.includes('lb-server-down'));
    expect(down.length).toBeGreaterThan(0);
    expect(down[0].fields).toMatchObject({ server: leader.name, state: 'DOWN', reason: 'Layer7 timeout' });
    // Only this member's balancer lines (or lines about no server at all).
    for (const l of lb.lines) if (l.fields.server) expect([leader.name, '<NOSRV>']).toContain(l.fields.server);
    expect(lb.signalCounts.some((c) => c.signal === 'lb-server-down')).toBe(true);
  });

  it('the other members: lost and elected leader while the leader was frozen', async () => {
    const others = stack.cluster.members.filter((_, i) => i !== leader.i);
    const pages = await Promise.all(
      others.map((m) =>
        queryLogs(cluster, m.name, { from: freezeAt, to: thawAt + 2_000, limit: 1000, source: 'member' }),
      ),
    );
    const s = signalsOf(pages.flatMap((p) => p.lines));
    note(`followers' signals during the freeze: ${[...s].join(', ')}`);
    expect(s.has('elected-leader')).toBe(true);
    expect(s.has('lost-leader')).toBe(true);
  });

  it('the SIGKILLed follower: peers lose it, HAProxy refuses connections to it', async () => {
    const survivors = stack.cluster.members.filter((_, i) => i !== victim.i);
    const page = await queryLogs(cluster, survivors[0].name, {
      from: killAt,
      to: Date.now(),
      limit: 1000,
      q: 'peer',
      source: 'member',
    });
    expect(signalsOf(page.lines).has('peer-unreachable')).toBe(true);
    expect(page.lines.every((l) => /peer/i.test(l.raw))).toBe(true);
    const lb = await queryLogs(cluster, victim.url, { from: killAt, to: Date.now(), limit: 1000, source: 'balancer' });
    const down = lb.lines.find((l) => l.signals.includes('lb-server-down'));
    expect(down?.fields).toMatchObject({ server: victim.name, state: 'DOWN', reason: 'Layer4 connection problem' });
  });

  it('the watcher saw the same signals, per member, as the detectors will take them', async () => {
    await watcher.poll();
    const totals = watcher.totals(10 * 60_000)!;
    note(`watcher totals: ${JSON.stringify(totals)}`);
    expect(totals[leader.url]['server marked DOWN']).toBeGreaterThan(0);
    expect(totals[victim.url]['server marked DOWN']).toBeGreaterThan(0);
    const followerLabels = Object.entries(totals)
      .filter(([ep]) => ep !== leader.url)
      .flatMap(([, r]) => Object.keys(r));
    expect(followerLabels).toContain('elected leader');
    expect(followerLabels).toContain('failed to connect to member');
    const snap = watcher.snapshot().get(leader.url)!;
    expect(snap.errors).toEqual([]);
    expect(snap.recent.length).toBeGreaterThan(0);
  });
});
