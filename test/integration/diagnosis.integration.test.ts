// Every detector proven on a real injected fault: a real 3-member etcd behind HAProxy with load,
// Fulcrum's engine polling it, its SSE stream read as a browser would. For each fault: the
// expected finding on the expected member within 10 s of injection, with the right fix text,
// and cleared once the fault is undone. Then: healthy, evenly weighted load raises nothing
// above info for 2 minutes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFault, type FaultName, type FaultRun } from '../../dev/faults';
import { startStack, type Stack } from '../../dev/stack';
import { electionFlags } from '../../lib/analysis/diagnosis/fixes';
import type { ClusterEngine } from '../../lib/engine/cluster';
import type { ClusterState, Finding } from '../../lib/types';
import { engineFor, StreamLog, waitUntil } from './helpers';

const QUOTA = 24 * 1024 * 1024;

describe('diagnosis: each injected fault raises its finding', () => {
  let dir: string;
  let stack: Stack;
  let engine: ClusterEngine;
  let log: StreamLog;
  const endpoint = (name: string) => stack.cluster.members.find((m) => m.name === name)!.clientUrl;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-diag-'));
    stack = await startStack({ dir, prometheus: false, loadRate: 150, quotaBackendBytes: { 2: QUOTA } });
    engine = engineFor(stack);
    engine.start();
    log = new StreamLog(engine);
    // Let the windows fill on healthy load first.
    await waitUntil(() => engine.state().seq >= 8, 30_000, 'first polls');
  });

  afterAll(async () => {
    await log?.stop();
    await engine?.stop();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function run(
    name: FaultName,
    kind: string,
    expectMember: (r: FaultRun) => string | null,
    checkFix: (f: Finding, r: FaultRun, s: ClusterState) => void | Promise<void>,
    clearWithinMs = 60_000,
  ): Promise<void> {
    const r = await injectFault(stack, name);
    let undone = false;
    try {
      const member = expectMember(r);
      await waitUntil(() => log.find(kind, member, r.injectedAt) !== null, 20_000, `${kind} after ${name}`);
      const hit = log.find(kind, member, r.injectedAt)!;
      // The finding reached the stream within 10 s of the fault taking effect.
      expect(hit.at - r.injectedAt, `${kind} arrived ${hit.at - r.injectedAt} ms after ${name}`).toBeLessThanOrEqual(
        10_000,
      );
      await checkFix(hit.f, r, engine.state());
      await r.undo();
      undone = true;
      const undoneAt = Date.now();
      await waitUntil(
        () =>
          log.deltas.some(
            (x) =>
              x.at > undoneAt &&
              !x.d.findings.some((f) => f.kind === kind && (member === null || f.members.includes(member))),
          ),
        clearWithinMs,
        `${kind} to clear after undoing ${name}`,
      );
    } finally {
      if (!undone) await r.undo().catch(() => undefined);
    }
    // Back to healthy before the next fault.
    await waitUntil(() => engine.state().members.every((m) => m.status === 'up'), 60_000, 'all members up again');
  }

  const fixes = (f: Finding) => f.fixes.map((x) => x.body).join('\n');

  it('skew-weights → request-skew on the hot member, fix restores the configured weights', async () => {
    await run(
      'skew-weights',
      'request-skew',
      (r) => endpoint(r.member!),
      (f, r) => {
        expect(r.member).toBe('etcd-3');
        expect(f.summary).toContain("balancer's weights (10/10/80)");
        expect(fixes(f)).toContain('set server etcd/etcd-3 weight 10');
        expect(fixes(f)).toContain('set server etcd/etcd-1 weight 30');
        expect(fixes(f)).toContain(stack.haproxy.runtimeSocket);
      },
    );
  });

  it('pin-load → connection-pinning on the member holding the pinned connection', async () => {
    await run(
      'pin-load',
      'connection-pinning',
      (r) => endpoint(r.member!),
      (f) => {
        expect(fixes(f)).toContain(stack.cluster.members.map((m) => m.clientUrl).join(','));
        expect(f.evidence.some((e) => e.label.includes('share of new connections'))).toBe(true);
      },
    );
  });

  it('leader-churn → leader-churn with election flags from the measured RTT', async () => {
    await run(
      'leader-churn',
      'leader-churn',
      () => null,
      (f, _r, s) => {
        const rtt = Math.max(...s.members.map((m) => m.signals.peerRttP99 ?? 0));
        const { heartbeatMs, electionMs } = electionFlags(rtt > 0 ? rtt : null);
        expect(fixes(f)).toContain(`--heartbeat-interval=${heartbeatMs}`);
        expect(fixes(f)).toContain(`--election-timeout=${electionMs}`);
        expect(Number(/(\d+) leader changes/.exec(f.title)?.[1])).toBeGreaterThan(1);
      },
      // the per-minute window has to roll past the last move
      120_000,
    );
  });

  it('quota → quota-pressure (critical, NOSPACE) on the small-quota member, fix in the safe order', async () => {
    await run(
      'quota',
      'quota-pressure',
      (r) => endpoint(r.member!),
      async (_f, r) => {
        expect(r.member).toBe('etcd-3');
        await waitUntil(
          () =>
            log.find('quota-pressure', endpoint(r.member!), r.injectedAt, (x) => x.severity === 'critical') !== null,
          15_000,
          'critical quota-pressure',
        );
        // It may have warned on the way up (db near quota); NOSPACE makes it critical.
        const crit = log.find('quota-pressure', endpoint(r.member!), r.injectedAt, (x) => x.severity === 'critical');
        expect(crit, 'quota-pressure never became critical').not.toBeNull();
        expect(crit!.at - r.injectedAt).toBeLessThanOrEqual(10_000);
        const body = fixes(crit!.f);
        expect(body).toMatch(/compact \d+/);
        const defrags = [...body.matchAll(/--endpoints=(\S+) defrag/g)].map((m) => m[1]);
        expect(defrags).toHaveLength(3);
        const leader = engine.state().members.find((m) => m.isLeader)!;
        expect(defrags.at(-1)).toBe(leader.endpoint);
        expect(body.indexOf('alarm disarm')).toBeGreaterThan(body.lastIndexOf('defrag'));
        expect(body).toContain(`--quota-backend-bytes=`);
      },
      90_000,
    );
  });

  it('freeze (SIGSTOP) → member-down on the frozen member', async () => {
    await run(
      'freeze',
      'member-down',
      (r) => endpoint(r.member!),
      (f, r) => {
        expect(fixes(f)).toContain(`--endpoints=${endpoint(r.member!)} endpoint health`);
      },
    );
  });

  it('kill -9 → member-down on the killed member', async () => {
    await run(
      'kill',
      'member-down',
      (r) => endpoint(r.member!),
      (f) => {
        expect(f.severity).toBe('critical');
        expect(f.evidence.find((e) => e.label === 'error')?.value).toBeTruthy();
      },
    );
  });

  it('TCP-only health checks → health-check-gap, fix checks /health over HTTP', async () => {
    await run(
      'tcp-check',
      'health-check-gap',
      () => null,
      (f) => {
        expect(f.summary).toContain('TCP-only');
        expect(f.members.sort()).toEqual(stack.cluster.members.map((m) => m.clientUrl).sort());
        expect(fixes(f)).toContain('option httpchk GET /health');
        for (const m of stack.cluster.members) expect(fixes(f)).toContain(new URL(m.clientUrl).host);
        expect(f.fixes[0].risk).toContain('NOSPACE');
      },
    );
  });

  it('a frozen member behind a TCP check → unhealthy-serving: the balancer keeps sending it traffic', async () => {
    await run(
      'freeze-behind-tcp-check',
      'unhealthy-serving',
      (r) => endpoint(r.member!),
      (f, r) => {
        expect(fixes(f)).toContain(`set server etcd/${r.member} state maint`);
        expect(f.evidence.some((e) => e.label.startsWith('balancer server') && e.value.startsWith('UP'))).toBe(true);
      },
    );
  });
});

describe('diagnosis: healthy, evenly weighted load', () => {
  let dir: string;
  let stack: Stack;
  let engine: ClusterEngine;
  let log: StreamLog;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-healthy-'));
    stack = await startStack({ dir, prometheus: false, weights: [10, 10, 10], loadRate: 150 });
    // Expected shares are equal: no weights in Fulcrum's config.
    writeFileSync(stack.configFile, readFileSync(stack.configFile, 'utf8').replace(/\n\s*weight: \d+/g, ''));
    engine = engineFor(stack);
    engine.start();
    log = new StreamLog(engine);
  });

  afterAll(async () => {
    await log?.stop();
    await engine?.stop();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('raises no finding above info for 2 minutes', async () => {
    await new Promise((r) => setTimeout(r, 120_000));
    expect(log.deltas.length).toBeGreaterThan(100);
    const above = log.deltas.flatMap((x) =>
      x.d.findings
        .filter((f) => f.severity !== 'info')
        .map((f) => `${new Date(x.at).toISOString()} ${f.kind} ${f.title}`),
    );
    expect([...new Set(above)]).toEqual([]);
    // ...and it was really looking: requests scored near 0, every check ran.
    const last = log.latest()!;
    expect(last.scores.requests.score!).toBeLessThan(0.2);
    expect(last.checks.filter((c) => c.state === 'not-checked').map((c) => c.kind)).toEqual([]);
  });
});
