// The dev stack itself, for real: 3 etcd members behind HAProxy (weights 30/20/10, L4) with the
// load generator, in a temp dir. Checks that per-member KV request shares follow the weights,
// that kill9/restart and freeze/thaw work, and that stopping leaves no process behind.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberHealthy, startEtcdCluster, type EtcdCluster } from './etcd';
import { startHaproxy, type Haproxy } from './haproxy';
import { startLoad, type LoadHandle } from './load';
import { pidAlive, stopAll } from './procs';

const WEIGHTS = [30, 20, 10];
const MEASURE_MS = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sum of grpc_server_started_total{grpc_service="etcdserverpb.KV"} over methods, per member. */
async function kvStarted(clientUrl: string): Promise<number> {
  const text = await (await fetch(`${clientUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('grpc_server_started_total{') && line.includes('grpc_service="etcdserverpb.KV"')) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

describe('local stack: etcd ×3 + HAProxy + load', () => {
  let dir: string;
  let cluster: EtcdCluster;
  let haproxy: Haproxy;
  let load: LoadHandle;
  const pids = new Set<number>();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-stack-it-'));
    cluster = await startEtcdCluster({ size: 3, dir });
    await cluster.waitHealthy(30_000);
    haproxy = await startHaproxy({
      dir: path.join(dir, 'haproxy'),
      members: cluster.members,
      weights: WEIGHTS,
      check: 'http',
      mode: 'tcp',
    });
    load = startLoad({ target: haproxy.url, rate: 200, logFile: path.join(dir, 'load.log') });
    for (const pid of [...cluster.members.map((m) => m.pid), haproxy.pid, load.pid]) pids.add(pid);
  });

  afterAll(async () => {
    await stopAll(); // only reached with work left if a test failed half-way
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends each member a share of KV requests that follows the HAProxy weights (±5 points)', async () => {
    await sleep(3_000); // warm-up: the first connections are being opened
    const before = await Promise.all(cluster.members.map((m) => kvStarted(m.clientUrl)));
    // At least 20 s and 3000 requests (200 req/s: 4000 in 20 s; a starved load generator sends
    // fewer, and then the count takes longer, not the shares less exact).
    await sleep(MEASURE_MS);
    let deltas: number[] = [];
    const deadline = Date.now() + 120_000;
    for (;;) {
      const after = await Promise.all(cluster.members.map((m) => kvStarted(m.clientUrl)));
      deltas = after.map((a, i) => a - before[i]);
      if (deltas.reduce((a, b) => a + b, 0) >= 3_000 || Date.now() > deadline) break;
      await sleep(1_000);
    }
    const total = deltas.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(3_000);
    const shares = deltas.map((d) => d / total);
    const expected = WEIGHTS.map((w) => w / WEIGHTS.reduce((a, b) => a + b, 0));
    const msg = `shares ${shares.map((s) => (100 * s).toFixed(1)).join('/')} % of ${total} requests`;
    console.log(`[stack.integration] ${msg}`);
    for (const [i, s] of shares.entries()) expect(Math.abs(s - expected[i]), msg).toBeLessThan(0.05);
  });

  it('changes a server weight through the runtime API', async () => {
    await haproxy.setWeight('etcd-3', 5);
    expect((await haproxy.runtime('get weight etcd/etcd-3')).trim()).toBe('5 (initial 10)');
    await haproxy.setWeight('etcd-3', 10);
    await expect(haproxy.setWeight('nope', 1)).rejects.toThrow(/nope/);
  });

  it('brings a SIGKILLed member back healthy with restart()', async () => {
    const oldPid = cluster.members[1].pid;
    await cluster.kill9(1);
    expect(pidAlive(oldPid)).toBe(false);
    expect(cluster.isRunning(1)).toBe(false);
    await expect(memberHealthy(cluster.members[1].clientUrl)).rejects.toThrow();
    // The other two still have quorum.
    await cluster.waitHealthy(30_000);

    await cluster.restart(1);
    pids.add(cluster.members[1].pid);
    expect(cluster.members[1].pid).not.toBe(oldPid);
    await cluster.waitMemberHealthy(1, 30_000);
    expect(await memberHealthy(cluster.members[1].clientUrl)).toBe(true);
  });

  it('freezes (SIGSTOP) and thaws (SIGCONT) a member', async () => {
    cluster.freeze(2);
    await expect(memberHealthy(cluster.members[2].clientUrl, 1_000)).rejects.toThrow();
    cluster.thaw(2);
    await cluster.waitMemberHealthy(2, 30_000);
  });

  it('stops every process it started and leaves the temp dir removable', async () => {
    await load.stop();
    await haproxy.stop();
    await cluster.stop();
    for (const pid of pids) expect(pidAlive(pid), `pid ${pid}`).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'load.log'), 'utf8')).toMatch(/ total: ok=\d+/);
    expect(fs.readFileSync(cluster.members[0].logFile, 'utf8').split('\n')[0]).toMatch(/^\{"level":/);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(fs.existsSync(dir)).toBe(false);
  });
});
