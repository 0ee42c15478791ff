// The agent's TCP side in-process on 127.0.0.1 (port 0), with clusters as plain views.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { member } from '../analysis/diagnosis/testkit';
import type { WeightsAgentConfig } from '../config/load';
import type { MemberState, WeightMember } from '../types';
import { type AgentClusterView, type AgentTelemetry, MAX_CONNECTIONS, WeightsAgent } from './agent';
import { parseAudit } from './protocol';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-agent-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cfg(over: Partial<WeightsAgentConfig> = {}): WeightsAgentConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    clusters: ['prod'],
    min: 25,
    max: 100,
    maxStepPercent: 30,
    settleSeconds: 10,
    drainDown: false,
    deadbandPercent: 5,
    auditLog: path.join(dir, 'audit.log'),
    ...over,
  };
}

function weightMember(m: MemberState, factor: number, runtime = 20): WeightMember {
  return {
    endpoint: m.endpoint,
    name: m.name,
    configured: 20,
    server: m.name,
    runtime,
    initial: 20,
    status: 'UP',
    proposed: 20,
    factor,
    why: factor < 1 ? `${m.name}: probe 40 ms vs peers' 1 ms → ×${factor}` : `${m.name}: as fast as its peers`,
    measured: true,
  };
}

/** A cluster whose etcd-2 is slow (factor 0.5), polled "now". */
function world(now: () => number, over: { factor?: number; updatedAt?: number | null } = {}) {
  const members = [member(1), member(2), member(3)];
  return (name: string): AgentClusterView | null =>
    name === 'prod'
      ? {
          updatedAt: over.updatedAt === undefined ? now() : over.updatedAt,
          pollIntervalMs: 1000,
          members,
          weights: {
            group: { type: 'haproxy', name: 'etcd', runtimeApi: null },
            members: members.map((m, i) => weightMember(m, i === 1 ? (over.factor ?? 0.5) : 1)),
            settleMs: 30_000,
            change: null,
            agent: null,
            whatIf: null,
          },
        }
      : null;
}

/** One agent-check as HAProxy makes it: connect, send, read until the agent closes. */
function check(port: number, send: string | Buffer | null, opts: { endAfterSend?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    sock.on('connect', () => {
      if (send !== null) sock.write(send);
      if (opts.endAfterSend) sock.end();
    });
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

class Counts implements AgentTelemetry {
  checks: string[] = [];
  changes = 0;
  agentCheck(_c: string, _m: string, result: string) {
    this.checks.push(result);
  }
  agentWeight(_c: string, _m: string, _p: number | null, changed: boolean) {
    if (changed) this.changes++;
  }
  agentListening() {}
}

async function started(c: WeightsAgentConfig, view: (n: string) => AgentClusterView | null, now: () => number) {
  const telemetry = new Counts();
  const agent = new WeightsAgent(c, view, { telemetry, now, log: { warn: () => true } as never });
  await agent.start();
  const port = agent.address()!.port;
  return { agent, port, telemetry };
}

describe('weights agent over TCP', () => {
  it('answers each member by its agent-send line, moves a slow one after settling, audits every change', async () => {
    let t = 1_000_000;
    const now = () => t;
    const { agent, port, telemetry } = await started(cfg(), world(now), now);
    try {
      expect(await check(port, 'etcd-1\n')).toBe('100%\n');
      expect(await check(port, 'etcd-2\n')).toBe('100%\n'); // taken over, held while settling
      t += 5000;
      expect(await check(port, 'etcd-2\n')).toBe('100%\n');
      t += 6000;
      expect(await check(port, '10.0.0.2:2379\n')).toBe('95%\n'); // ×0.5 asked, 5 points per 10 s allowed
      const c = agent.collect('prod')!;
      expect(c.audit.map((e) => [e.member, e.before, e.after, e.reply])).toEqual([
        ['etcd-1', null, 100, '100%'],
        ['etcd-2', null, 100, '100%'],
        ['etcd-2', 100, 95, '95%'],
      ]);
      expect(c.audit[2].why).toMatch(/probe 40 ms/);
      expect(c.audit[2].peer).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(c.members.find((m) => m.endpoint === 'http://10.0.0.2:2379')!.percent).toBe(95);
      // Handed to one poll only.
      expect(agent.collect('prod')!.audit).toEqual([]);
      expect(agent.collect('other')).toBeNull();
      await agent.stop();
      const lines = parseAudit(readFileSync(cfg().auditLog, 'utf8'));
      expect(lines.map((e) => e.after)).toEqual([100, 100, 95]);
      expect(telemetry.changes).toBe(3);
    } finally {
      await agent.stop();
    }
  });

  it('answers garbage, unknown names, silence and stale data without changing anything, and never dies', async () => {
    let t = 1_000_000;
    const now = () => t;
    const { agent, port, telemetry } = await started(cfg(), world(now), now);
    try {
      expect(await check(port, Buffer.from([0xff, 0x00, 0x41, 0x0a]))).toBe('\n');
      expect(await check(port, `${'a'.repeat(5000)}\n`)).toBe('\n');
      expect(await check(port, 'etcd-9\n')).toBe('\n');
      expect(await check(port, null)).toBe('\n'); // no agent-send: nothing within 1 s
      expect(await check(port, 'etcd-1', { endAfterSend: true })).toBe('\n'); // no newline, then close
      expect(await check(port, 'etcd-1')).toBe('\n'); // no newline: nothing within 1 s
      expect(telemetry.checks).toEqual([
        'bad-request',
        'bad-request',
        'unknown-member',
        'timeout',
        'bad-request',
        'timeout',
      ]);
      // Still answering.
      expect(await check(port, 'etcd-1\n')).toBe('100%\n');
      // Many connections at once: each gets an answer or is refused, the agent keeps going.
      const many = await Promise.allSettled(
        Array.from({ length: MAX_CONNECTIONS + 50 }, () => check(port, 'etcd-3\n')),
      );
      expect(many.filter((r) => r.status === 'fulfilled' && r.value === '100%\n').length).toBeGreaterThan(0);
      t += 1000;
      expect(await check(port, 'etcd-3\n')).toBe('100%\n');
    } finally {
      await agent.stop();
    }
    // Two 1 s silences and 300 connections: seconds on a busy machine.
  }, 30_000);

  it('walks back to the configured weight when the cluster data is stale', async () => {
    let t = 1_000_000;
    const now = () => t;
    // Start with etcd-2 at 50 % at the balancer (runtime 10 of 20) and no fresh poll.
    const base = world(now, { updatedAt: t - 60_000 });
    const view = (n: string) => {
      const v = base(n);
      if (v?.weights) v.weights.members[1].runtime = 10;
      return v;
    };
    const { agent, port } = await started(cfg(), view, now);
    try {
      expect(await check(port, 'etcd-2\n')).toBe('50%\n');
      t += 11_000;
      expect(await check(port, 'etcd-2\n')).toBe('55%\n');
      expect(agent.collect('prod')!.audit.at(-1)!.why).toMatch(/stale/);
    } finally {
      await agent.stop();
    }
  });

  it('after a restart starts from the balancer’s weight and keeps the last minute of the audit log (step limit, own drain)', async () => {
    let t = 1_000_000;
    const now = () => t;
    // The previous process lowered etcd-2 from 80 to 75 a few seconds ago and drained etcd-3.
    const prior = [
      { t: t - 20_000, member: 'etcd-2', endpoint: 'http://10.0.0.2:2379', before: 100, after: 80, reply: '80%' },
      { t: t - 5000, member: 'etcd-2', endpoint: 'http://10.0.0.2:2379', before: 80, after: 75, reply: '75%' },
      { t: t - 5000, member: 'etcd-3', endpoint: 'http://10.0.0.3:2379', before: 100, after: 100, reply: 'drain 100%' },
    ].map((e) => JSON.stringify({ cluster: 'prod', server: null, peer: 'x', by: 'y', why: 'z', ...e }));
    writeFileSync(cfg().auditLog, `${prior.join('\n')}\n{torn`);
    const base = world(now, { factor: 0.25 });
    const view = (n: string) => {
      const v = base(n);
      if (v?.weights) v.weights.members[1].runtime = 15; // HAProxy has 75 % of 20
      return v;
    };
    const { agent, port } = await started(cfg(), view, now);
    try {
      expect(await check(port, 'etcd-2\n')).toBe('75%\n'); // taken over, not jumped
      // Several settle periods later, within the minute of the 100 → 80 → 75 answers: at most 30
      // points from 80 (t − 20 s) means not below 50 until that answer ages out.
      const seen: number[] = [];
      for (let i = 0; i < 4; i++) {
        t += 11_000;
        seen.push(Number((await check(port, 'etcd-2\n')).replace('%\n', '')));
      }
      for (const p of seen) expect(p).toBeGreaterThanOrEqual(50);
      // etcd-3 was drained by Fulcrum and is up again: only Fulcrum's own drain is undone.
      expect(await check(port, 'etcd-3\n')).toBe('100%\n'); // first answer: take over
      t += 1000;
      expect(await check(port, 'etcd-3\n')).toBe('ready 100%\n');
    } finally {
      await agent.stop();
    }
  });

  it('says why when it cannot listen, and keeps Fulcrum running', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    const agent = new WeightsAgent(cfg({ port }), world(Date.now), { log: { warn: () => true } as never });
    try {
      await agent.start();
      expect(agent.error).toMatch(/EADDRINUSE/);
      expect(agent.collect('prod')!.members[0].why).toMatch(/cannot listen/);
    } finally {
      await agent.stop();
      blocker.close();
    }
  });
});
