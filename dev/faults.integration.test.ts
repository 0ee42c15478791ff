// Every fault of dev/faults/ against one real stack (etcd ×3 behind HAProxy 30/20/10 with a
// small backend quota on etcd-3, background load on, no Prometheus): inject, check the raw effect
// on etcd/HAProxy, undo, check it is gone. Then the control endpoint and CLI of a running demo.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlServer } from './control';
import { injectFault, kvRates, listAlarms, memberStatus, type FaultRun } from './faults';
import { memberHealthy } from './lib/etcd';
import { REPO_ROOT } from './lib/load';
import { pidAlive, stopAll, waitFor } from './lib/procs';
import { startStack, type Stack } from './stack';

const QUOTA_BYTES = 32 * 1024 * 1024;
const LOAD_RATE = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const note = (line: string) => console.log(`[faults.integration] ${line}`);

/** Recv-Q of a listening socket: connections the kernel completed that the process has not accepted. */
function acceptQueue(port: number): Promise<number | null> {
  return new Promise((resolve) =>
    execFile('ss', ['-ltnH', `sport = :${port}`], (err, out) => {
      const n = Number(String(out).trim().split(/\s+/)[1]);
      resolve(err || !Number.isFinite(n) ? null : n);
    }),
  );
}

function client(hosts: string | string[]): Etcd3 {
  return new Etcd3({
    hosts,
    grpcOptions: { 'grpc.use_local_subchannel_pool': 1 },
    faultHandling: { host: () => noop, global: noop },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 5_000 }),
  });
}

async function put(hosts: string | string[], key: string, value: string): Promise<void> {
  const c = client(hosts);
  try {
    await c.put(key).value(value);
  } finally {
    c.close();
  }
}

describe('faults on the real local stack', () => {
  let dir: string;
  let stack: Stack;
  const pids = new Set<number>();
  const runs: FaultRun[] = [];
  const track = () => {
    for (const m of stack.cluster.members) pids.add(m.pid);
    pids.add(stack.haproxy.pid);
  };
  const inject = async (...args: Parameters<typeof injectFault>) => {
    const t0 = Date.now();
    const run = await injectFault(...args);
    runs.push(run);
    track();
    note(`${run.name} injected in ${Date.now() - t0} ms: member=${run.member} ${JSON.stringify(run.details)}`);
    return run;
  };
  const undo = async (run: FaultRun) => {
    const t0 = Date.now();
    await run.undo();
    track();
    note(`${run.name} undone in ${Date.now() - t0} ms`);
  };
  const stats = () => stack.haproxy.serverStats();
  const allUp = async () => Object.values(await stats()).every((r) => r.status === 'UP');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-faults-it-'));
    stack = await startStack({ dir, prometheus: false, loadRate: LOAD_RATE, quotaBackendBytes: { 2: QUOTA_BYTES } });
    track();
    if (stack.load) pids.add(stack.load.pid);
    await waitFor(allUp, { what: 'every HAProxy server UP', timeoutMs: 20_000 });
    await sleep(2_000); // the load generator's first connections
  });

  afterAll(async () => {
    for (const run of runs.reverse()) await run.undo().catch(() => {});
    await stack?.stop();
    await stopAll(); // only with work left if a test failed half-way
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('skew-weights: the runtime weights become 10/10/80 and go back to 30/20/10', async () => {
    const weight = async (s: string) => (await stack.haproxy.runtime(`get weight etcd/${s}`)).trim();
    const run = await inject(stack, 'skew-weights');
    expect(run.member).toBe('etcd-3');
    expect(await Promise.all(['etcd-1', 'etcd-2', 'etcd-3'].map(weight))).toEqual([
      '10 (initial 30)',
      '10 (initial 20)',
      '80 (initial 10)',
    ]);
    await undo(run);
    await undo(run); // idempotent
    expect(await Promise.all(['etcd-1', 'etcd-2', 'etcd-3'].map(weight))).toEqual([
      '30 (initial 30)',
      '20 (initial 20)',
      '10 (initial 10)',
    ]);
  });

  it('pin-load: one member takes most KV requests, measured on the members’ /metrics', async () => {
    const share = (rates: number[], i: number) => rates[i] / rates.reduce((a, b) => a + b, 0);
    const before = await kvRates(stack, 3_000);
    const run = await inject(stack, 'pin-load');
    const i = stack.cluster.members.findIndex((m) => m.name === run.member);
    expect(i).toBeGreaterThanOrEqual(0);
    const during = await kvRates(stack, 3_000);
    note(
      `pin-load: ${run.member} share ${share(before, i).toFixed(2)} → ${share(during, i).toFixed(2)} (rates ${before.map(Math.round)} → ${during.map(Math.round)} req/s)`,
    );
    // 300 pinned req/s on top of 100 spread by weight: ≥ 75 % whichever member it landed on.
    expect(share(during, i)).toBeGreaterThan(0.65);
    expect(share(during, i) - share(before, i)).toBeGreaterThan(0.2);
    const pid = Number(run.details.pid);
    pids.add(pid);
    await undo(run);
    expect(pidAlive(pid)).toBe(false);
    const after = await kvRates(stack, 3_000);
    note(`pin-load undone: ${run.member} share ${share(after, i).toFixed(2)}`);
    expect(share(during, i) - share(after, i)).toBeGreaterThan(0.2);
  });

  it('leader-churn: the leader changes at least twice in 10 s, and stops changing after undo', async () => {
    const leaderOf = async () => {
      const st = await Promise.all(
        stack.cluster.members.map((m) => memberStatus(m.clientUrl, 1_000).catch(() => null)),
      );
      return st.find((s) => s && s.leader !== '0')?.leader ?? null;
    };
    const run = await inject(stack, 'leader-churn');
    const seen: string[] = [];
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      const l = await leaderOf();
      if (l && l !== seen[seen.length - 1]) seen.push(l);
      await sleep(250);
    }
    note(
      `leader-churn: leaders seen in 10 s: ${seen.join(' → ')}; moves=${run.details.moves} failures=${run.details.failures}`,
    );
    expect(seen.length - 1).toBeGreaterThanOrEqual(2);
    await undo(run);
    const moves = run.details.moves;
    const leader = await leaderOf();
    await sleep(5_000);
    expect(run.details.moves).toBe(moves);
    expect(await leaderOf()).toBe(leader);
  });

  it('quota: NOSPACE is raised on the small-quota member, and undo clears it so writes work again', async () => {
    const urls = stack.cluster.endpoints;
    const run = await inject(stack, 'quota');
    expect(run.member).toBe('etcd-3');
    expect((await listAlarms(stack)).map((a) => `${a.alarm}@${a.member}`)).toContain('Nospace@etcd-3');
    await expect(put(urls, '/fulcrum-it/under-nospace', 'x')).rejects.toThrow(/database space exceeded/);
    // etcd 3.4: /health is false under any alarm (NOSPACE is cluster-wide), so a check on plain
    // /health would take every member out; the dev HAProxy checks /health?exclude=NOSPACE
    // (3.4.16+), which keeps answering 200, and every server stays UP: reads still work.
    expect(await memberHealthy(stack.cluster.members[0].clientUrl)).toBe(false);
    const excluded = await fetch(`${stack.cluster.members[0].clientUrl}/health?exclude=NOSPACE`);
    expect(excluded.status).toBe(200);
    await sleep(3_000); // three check intervals
    expect(Object.values(await stats()).map((r) => r.status)).toEqual(['UP', 'UP', 'UP']);
    note('quota: HAProxy kept every server UP under NOSPACE (its check is /health?exclude=NOSPACE)');

    await undo(run);
    note(`quota undo: ${JSON.stringify(run.details)}`);
    expect(await listAlarms(stack)).toEqual([]);
    await put(urls, '/fulcrum-it/after-nospace', 'ok');
    const st = await memberStatus(stack.cluster.members[2].clientUrl);
    expect(st.dbSize).toBeLessThan(QUOTA_BYTES / 2);
    await waitFor(allUp, { what: 'every HAProxy server UP again', timeoutMs: 20_000 });
  });

  it('freeze: the member stops answering /health within 1 s, and answers after undo', async () => {
    const run = await inject(stack, 'freeze');
    expect(run.member).toBe('etcd-2');
    const url = stack.cluster.members[1].clientUrl;
    await expect(memberHealthy(url, 1_000)).rejects.toThrow();
    await undo(run);
    // Thawed, its raft ticker fires the ticks it missed at once: right after SIGCONT it can say
    // unhealthy for a moment (no leader yet, seen on a busy CI machine). It answers healthy soon.
    await waitFor(() => memberHealthy(url, 1_000).catch(() => false), {
      what: `${run.member} healthy again after the thaw`,
      timeoutMs: 15_000,
    });
  });

  it('kill: the process is gone, and undo restarts it healthy', async () => {
    const oldPid = stack.cluster.members[1].pid;
    const run = await inject(stack, 'kill', { member: 1 });
    expect(run.member).toBe('etcd-2');
    expect(pidAlive(oldPid)).toBe(false);
    await expect(memberHealthy(stack.cluster.members[1].clientUrl, 1_000)).rejects.toThrow();
    await undo(run);
    expect(stack.cluster.members[1].pid).not.toBe(oldPid);
    expect(await memberHealthy(stack.cluster.members[1].clientUrl)).toBe(true);
    await waitFor(allUp, { what: 'every HAProxy server UP again', timeoutMs: 20_000 });
  });

  it('tcp-check: show stat reports L4OK, the frontend and runtime socket stay, undo brings L7OK back', async () => {
    const { url, runtimeSocket } = stack.haproxy;
    const oldPid = stack.haproxy.pid;
    const run = await inject(stack, 'tcp-check');
    expect(stack.haproxy.pid).not.toBe(oldPid);
    expect(pidAlive(oldPid)).toBe(false);
    expect(Object.values(await stats()).map((r) => r.check_status)).toEqual(['L4OK', 'L4OK', 'L4OK']);
    expect(fs.readFileSync(stack.haproxy.configFile, 'utf8')).not.toMatch(/httpchk/);
    expect(stack.haproxy.url).toBe(url);
    expect(stack.haproxy.runtimeSocket).toBe(runtimeSocket);
    await put(url, '/fulcrum-it/through-haproxy-tcp-check', 'ok'); // same frontend still serves
    await undo(run);
    expect(Object.values(await stats()).map((r) => r.check_status)).toEqual(['L7OK', 'L7OK', 'L7OK']);
    await put(url, '/fulcrum-it/through-haproxy-http-check', 'ok');
  });

  it('freeze-behind-tcp-check: HAProxy keeps the frozen member UP and keeps sending it sessions', async () => {
    const run = await inject(stack, 'freeze-behind-tcp-check');
    expect(run.member).toBe('etcd-2');
    await expect(memberHealthy(stack.cluster.members[1].clientUrl, 1_000)).rejects.toThrow();
    const port = Number(new URL(stack.cluster.members[1].clientUrl).port);
    const samples: Array<{ status: string; check: string; stot: number; backlog: number | null }> = [];
    for (let k = 0; k < 8; k++) {
      const r = (await stats())['etcd-2'];
      samples.push({ status: r.status, check: r.check_status, stot: Number(r.stot), backlog: await acceptQueue(port) });
      await sleep(1_000);
    }
    note(
      `freeze-behind-tcp-check: etcd-2 ${samples.map((s) => `${s.status}/${s.check}/stot=${s.stot}/acceptq=${s.backlog}`).join(' ')}`,
    );
    expect(samples.every((s) => s.status === 'UP' && s.check === 'L4OK')).toBe(true);
    expect(samples[samples.length - 1].stot).toBeGreaterThan(samples[0].stot);
    // Why it stays UP: the kernel completes the handshakes (HAProxy's checks and sessions alike)
    // and queues them for an accept() the stopped process never makes.
    if (samples[0].backlog !== null) expect(samples[samples.length - 1].backlog!).toBeGreaterThan(samples[0].backlog);
    await undo(run);
    expect(stack.haproxy.check).toBe('http');
    expect(await memberHealthy(stack.cluster.members[1].clientUrl, 1_000)).toBe(true);
    expect(Object.values(await stats()).map((r) => r.check_status)).toEqual(['L7OK', 'L7OK', 'L7OK']);
  });

  it('quota needs a stack started with a small quota', async () => {
    await expect(injectFault({ ...stack, quotaBackendBytes: {} }, 'quota')).rejects.toThrow(/quotaBackendBytes/);
    await expect(injectFault(stack, 'quota', { member: 0 })).rejects.toThrow(/no small quota/);
  });

  it('control endpoint + fault CLI: inject and undo freeze on a running stack, refuse a member where none is taken', async () => {
    const control = await startControlServer(stack, { dir });
    try {
      const file = JSON.parse(fs.readFileSync(path.join(dir, 'control.json'), 'utf8')) as { url: string };
      expect(file.url).toBe(control.url);
      const posted = await fetch(`${control.url}/faults/freeze?member=1`, { method: 'POST' });
      expect(posted.status).toBe(201);
      expect(((await posted.json()) as { member: string }).member).toBe('etcd-2');
      await expect(memberHealthy(stack.cluster.members[1].clientUrl, 1_000)).rejects.toThrow();
      expect((await fetch(`${control.url}/faults/freeze`, { method: 'POST' })).status).toBe(409);
      const listed = (await (await fetch(`${control.url}/faults`)).json()) as {
        active: Array<{ name: string; member: string }>;
      };
      expect(listed.active.map((r) => `${r.name}:${r.member}`)).toEqual(['freeze:etcd-2']);

      const cli = (...args: string[]) =>
        new Promise<string>((resolve, reject) =>
          execFile(
            process.execPath,
            ['--import', 'tsx', 'dev/fault-cli.ts', ...args, '--dir', dir],
            { cwd: REPO_ROOT, timeout: 60_000 },
            (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
          ),
        );
      expect(await cli()).toMatch(/^freeze\s+etcd-2/m);
      expect(await cli('freeze', '--undo')).toMatch(/undone/);

      // Faults that take no member refuse one, at the endpoint and in the CLI, and nothing starts.
      for (const name of ['leader-churn', 'tcp-check']) {
        const refused = await fetch(`${control.url}/faults/${name}?member=1`, { method: 'POST' });
        expect(refused.status).toBe(400);
        expect(((await refused.json()) as { error: string }).error).toMatch(`${name} takes no member`);
      }
      await expect(cli('leader-churn', '--member', '1')).rejects.toThrow(
        /Command failed[\s\S]*leader-churn takes no member \([^)]+\); leave out --member/,
      );
      expect(stack.haproxy.check).toBe('http');
      expect(await memberHealthy(stack.cluster.members[1].clientUrl, 1_000)).toBe(true);
      expect(((await (await fetch(`${control.url}/faults`)).json()) as { active: unknown[] }).active).toEqual([]);
      expect((await fetch(`${control.url}/faults/freeze`, { method: 'DELETE' })).status).toBe(404);
    } finally {
      await control.undoAll();
      await control.stop();
    }
    expect(fs.existsSync(path.join(dir, 'control.json'))).toBe(false);
  });

  it('stopping the stack leaves none of its processes (nor the faults’) behind', async () => {
    await stack.stop();
    for (const pid of pids) expect(pidAlive(pid), `pid ${pid}`).toBe(false);
  });
});
