// Every detector proven on a real injected fault: a real 3-member etcd behind HAProxy with load,
// Fulcrum's engine polling it, its SSE stream read as a browser would. For each fault: the
// expected finding on the expected member within 10 s of injection, with the right fix text,
// and cleared once the fault is undone. Then NGINX in front of the same members, for the faults
// whose finding or fix differ per balancer. Then: healthy, evenly weighted load raises nothing
// above info for 2 minutes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFault, kvRates, type FaultName, type FaultRun } from '../../dev/faults';
import { kvRequestsStarted } from '../../dev/faults/pin-load';
import { startLoad } from '../../dev/lib/load';
import { startNginx } from '../../dev/lib/nginx';
import {
  type Stack,
  type StackCluster,
  type StackOptions,
  startFront,
  startStack,
  startStackCluster,
} from '../../dev/stack';
import { electionFlagsFor } from '../../lib/analysis/etcd-versions';
import type { ClusterEngine } from '../../lib/engine/cluster';
import { NginxSource } from '../../lib/sources/nginx/source';
import type { ClusterState, Finding } from '../../lib/types';
import { engineFor, StreamLog, waitSteady, waitUntil } from './helpers';

const QUOTA = 24 * 1024 * 1024;

/**
 * Injects a fault, waits for its finding on the stream (within 10 s of the fault taking effect),
 * checks its fixes, undoes it and waits for the finding to clear and every member to be up
 * (clearWithinMs null: undoes it only, for the last fault of a block when another test proves
 * the same finding clears).
 */
async function runFault(
  { stack, engine, log }: { stack: Stack; engine: ClusterEngine; log: StreamLog },
  name: FaultName,
  kind: string,
  expectMember: (r: FaultRun) => string | null,
  checkFix: (f: Finding, r: FaultRun, s: ClusterState) => void | Promise<void>,
  clearWithinMs: number | null = 60_000,
): Promise<void> {
  // The 10 s are the product's: start from polls at the configured interval (a busy machine
  // backs Fulcrum off to an 8 s poll, and it takes a while to come back).
  await waitSteady(engine);
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
    if (clearWithinMs === null) return;
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

/**
 * A stack with Fulcrum's engine polling it and its stream recorded, for one describe block:
 * its balancer, load and engine in front of running members, started before its tests (windows
 * filled on healthy load) and stopped after them, without the members.
 */
function faultBench(prefix: string, opts: Omit<StackOptions, 'dir'>, members: () => StackCluster) {
  const bench = {} as { dir: string; stack: Stack; engine: ClusterEngine; log: StreamLog };
  beforeAll(async () => {
    bench.dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    bench.stack = await startFront(members(), { dir: bench.dir, ...opts });
    bench.engine = engineFor(bench.stack);
    bench.engine.start();
    bench.log = new StreamLog(bench.engine);
    // Windows filled on healthy load first (a busy machine backs Fulcrum off to slower polls).
    await waitUntil(() => bench.engine.state().seq >= 8, 120_000, 'first polls');
  });
  afterAll(async () => {
    await bench.log?.stop();
    await bench.engine?.stop();
    await bench.stack?.stop();
    if (bench.dir) rmSync(bench.dir, { recursive: true, force: true });
  });
  const endpoint = (name: string) => bench.stack.cluster.members.find((m) => m.name === name)!.clientUrl;
  return {
    bench,
    endpoint,
    /** skew-weights (10/10/80) on either balancer: request-skew on etcd-3 that names those weights, then `check`. */
    skewWeights: (check: (f: Finding) => void) =>
      runFault(
        bench,
        'skew-weights',
        'request-skew',
        (r) => endpoint(r.member!),
        (f, r) => {
          expect(r.member).toBe('etcd-3');
          expect(f.summary).toContain("balancer's weights (10/10/80)");
          check(f);
        },
      ),
    run: (
      name: FaultName,
      kind: string,
      expectMember: (r: FaultRun) => string | null,
      checkFix: (f: Finding, r: FaultRun, s: ClusterState) => void | Promise<void>,
      clearWithinMs: number | null = 60_000,
    ) => runFault(bench, name, kind, expectMember, checkFix, clearWithinMs),
  };
}

const fixText = (f: Finding) => f.fixes.map((x) => x.body).join('\n');

// One etcd cluster for both balancers' faults: HAProxy in front of it first, then NGINX (each
// with its own load and engine), so the NGINX block costs its faults, not another cluster.
const shared = {} as { dir: string; cluster: StackCluster };
const FAULT_STACK = { prometheus: false, loadRate: 150, quotaBackendBytes: { 2: QUOTA } } as const;
// Each fault first waits for polls at the configured interval (up to 3 minutes on a busy machine).
describe('diagnosis: injected faults, behind HAProxy then NGINX', { timeout: 420_000 }, () => {
  beforeAll(async () => {
    shared.dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-diag-etcd-'));
    shared.cluster = await startStackCluster({ dir: shared.dir, quotaBackendBytes: FAULT_STACK.quotaBackendBytes });
  });
  afterAll(async () => {
    await shared.cluster?.stop();
    if (shared.dir) rmSync(shared.dir, { recursive: true, force: true });
  });

  describe('HAProxy in front: each injected fault raises its finding', () => {
    const { bench, endpoint, run, skewWeights } = faultBench('fulcrum-diag-', FAULT_STACK, () => shared.cluster);

    const fixes = fixText;

    it('skew-weights → request-skew on the hot member, fix restores the configured weights', async () => {
      await skewWeights((f) => {
        expect(fixes(f)).toContain('set server etcd/etcd-3 weight 10');
        expect(fixes(f)).toContain('set server etcd/etcd-1 weight 30');
        expect(fixes(f)).toContain(bench.stack.haproxy.runtimeSocket);
      });
    });

    it('pin-load → connection-pinning on the member holding the pinned connection', async () => {
      await run(
        'pin-load',
        'connection-pinning',
        (r) => endpoint(r.member!),
        (f) => {
          expect(fixes(f)).toContain(bench.stack.cluster.members.map((m) => m.clientUrl).join(','));
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
          const { heartbeatMs, electionMs, areDefaults } = electionFlagsFor(rtt > 0 ? rtt : null);
          expect(fixes(f)).toContain(`--heartbeat-interval=${heartbeatMs}`);
          expect(fixes(f)).toContain(`--election-timeout=${electionMs}`);
          // on one host the peer RTT is tiny: the flags it gives are etcd's defaults, and the fix says so
          if (areDefaults) expect(f.fixes[0].title).toBe('Election timeouts are not the problem');
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
              bench.log.find('quota-pressure', endpoint(r.member!), r.injectedAt, (x) => x.severity === 'critical') !==
              null,
            15_000,
            'critical quota-pressure',
          );
          // It may have warned on the way up (db near quota); NOSPACE makes it critical.
          const crit = bench.log.find(
            'quota-pressure',
            endpoint(r.member!),
            r.injectedAt,
            (x) => x.severity === 'critical',
          );
          expect(crit, 'quota-pressure never became critical').not.toBeNull();
          expect(crit!.at - r.injectedAt).toBeLessThanOrEqual(10_000);
          const body = fixes(crit!.f);
          expect(body).toMatch(/compact \d+/);
          const defrags = [...body.matchAll(/--endpoints=(\S+) defrag/g)].map((m) => m[1]);
          expect(defrags).toHaveLength(3);
          const leader = bench.engine.state().members.find((m) => m.isLeader)!;
          expect(defrags.at(-1)).toBe(leader.endpoint);
          expect(body.indexOf('alarm disarm')).toBeGreaterThan(body.lastIndexOf('defrag'));
          expect(body).toContain(`--quota-backend-bytes=`);
          // etcd 3.4.23 honours /health?exclude=NOSPACE (the version table says from 3.4.16): the
          // check the dev HAProxy runs keeps every member in while plain /health fails them all
          const small = endpoint(r.member!);
          expect((await fetch(`${small}/health`)).status).toBe(503);
          expect((await fetch(`${small}/health?exclude=NOSPACE`)).status).toBe(200);
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
          expect(f.members.sort()).toEqual(bench.stack.cluster.members.map((m) => m.clientUrl).sort());
          expect(fixes(f)).toContain('option httpchk GET /health');
          for (const m of bench.stack.cluster.members) expect(fixes(f)).toContain(new URL(m.clientUrl).host);
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

  // The faults whose finding or fix differ per balancer, behind NGINX (open-source, stream, passive
  // checks), which Fulcrum reads from its config and logs; an L7 (grpc_pass) NGINX joins it in
  // front of the same members for the last one.
  describe('NGINX in front: Fulcrum reads its config and logs live', () => {
    const { bench, endpoint, run, skewWeights } = faultBench(
      'fulcrum-diag-nginx-',
      { ...FAULT_STACK, balancer: 'nginx' },
      () => shared.cluster,
    );
    const shares = (rates: number[]) => {
      const total = rates.reduce((a, b) => a + b, 0);
      return rates.map((r) => r / total);
    };

    it('weights 30/20/10: request shares follow within 5 points, and Fulcrum sees the upstream and its sessions', async () => {
      const s = shares(await kvRates(bench.stack, 12_000));
      const msg = `KV shares ${s.map((x) => (100 * x).toFixed(1)).join('/')} %`;
      console.log(`[diagnosis nginx] ${msg}`);
      for (const [i, w] of [0.5, 1 / 3, 1 / 6].entries()) expect(Math.abs(s[i] - w), msg).toBeLessThan(0.05);
      const b = bench.engine.state().balancer!;
      expect(b).toMatchObject({ type: 'nginx', backend: 'etcd', ok: true, protocol: 'tcp', warnings: [] });
      expect(b.nginx?.upstreamAt).toBe(`${bench.stack.nginx!.upstreamFile}:2`);
      expect(b.servers.map((x) => [x.weight, x.checkMode, x.status, x.member])).toEqual(
        bench.stack.cluster.members.map((m, i) => [[30, 20, 10][i], 'passive', 'UP', m.clientUrl]),
      );
      // sessions counted from the access log, in about the weights' proportions
      const sess = shares(b.servers.map((x) => x.sessionRate ?? 0));
      expect(sess[0]).toBeGreaterThan(sess[2]);
      expect(b.servers.every((x) => (x.meanTimeMs ?? 0) > 0)).toBe(true);
      const gap = bench.engine.state().findings.find((f) => f.kind === 'health-check-gap');
      expect(gap?.severity).toBe('warning');
      expect(gap?.summary).toContain('open-source NGINX checks passively only');
    });

    it('skew-weights (upstream rewritten, nginx reloaded) → request-skew with the complete upstream block', async () => {
      await skewWeights((f) => {
        const block = f.fixes.find((x) => x.format === 'nginx')!.body;
        const [a, b, c] = bench.stack.nginx!.servers;
        expect(block).toContain(`upstream etcd {\n    server ${a} weight=30 max_fails=2 fail_timeout=5s;`);
        expect(block).toContain(`    server ${b} weight=20 max_fails=2 fail_timeout=5s;`);
        expect(block).toContain(`    server ${c} weight=10 max_fails=2 fail_timeout=5s;\n}`);
        expect(block).toContain(`replaces the upstream at ${bench.stack.nginx!.upstreamFile}:2`);
        expect(fixText(f)).toContain(
          `nginx -t -c ${bench.stack.nginx!.configFile} && nginx -s reload -c ${bench.stack.nginx!.configFile}`,
        );
        expect(fixText(f)).not.toContain('set server');
      });
    });

    it('freeze → unhealthy-serving: NGINX still sends the frozen member sessions (no active check)', async () => {
      await run(
        'freeze',
        'unhealthy-serving',
        (r) => endpoint(r.member!),
        (f, r) => {
          expect(f.summary).toContain('passive checks only');
          const addr = new URL(endpoint(r.member!)).host;
          expect(fixText(f)).toContain(`server ${addr} weight=20 max_fails=2 fail_timeout=5s down;`);
        },
      );
    });

    it('L7 (http2 + grpc_pass): requests follow the weights within 5 points, counted from its access log', async () => {
      const l7 = await startNginx({
        dir: path.join(bench.dir, 'nginx-grpc'),
        members: bench.stack.cluster.members,
        weights: [30, 20, 10],
        mode: 'grpc',
      });
      const src = new NginxSource({ config: l7.configFile }, 800);
      const load = startLoad({ target: l7.url, rate: 100, logFile: path.join(bench.dir, 'load-grpc.log') });
      try {
        // The load's first requests (node starts slowly on a busy machine) before counting.
        const total = (x: number[]) => x.reduce((a, b) => a + b, 0);
        const stot = async () => (await src.poll()).servers.map((x) => x.stot);
        await waitUntil(async () => total(await stot()) > 0, 60_000, 'grpc_pass requests in the access log');
        const kv = () => Promise.all(bench.stack.cluster.members.map((m) => kvRequestsStarted(m.clientUrl)));
        const before = await stot();
        const kvBefore = total(await kv());
        let counted: number[] = [];
        await waitUntil(
          async () => {
            counted = (await stot()).map((a, i) => a - before[i]);
            return total(counted) >= 600;
          },
          120_000,
          '600 grpc_pass requests counted from the access log',
        );
        const kvSeen = total(await kv()) - kvBefore;
        const fromLog = shares(counted);
        const msg = `grpc_pass: access-log shares ${fromLog.map((x) => (100 * x).toFixed(1)).join('/')} % of ${total(counted)} requests; etcd counted ${kvSeen} KV requests meanwhile`;
        console.log(`[diagnosis nginx] ${msg}`);
        for (const [i, w] of [0.5, 1 / 3, 1 / 6].entries()) expect(Math.abs(fromLog[i] - w), msg).toBeLessThan(0.05);
        // and etcd served them: its KV counters grew by about what the log counted or more (the
        // stream load comes on top; requests in flight at either end of the window aside)
        expect(kvSeen, msg).toBeGreaterThanOrEqual(0.9 * total(counted));
      } finally {
        await load.stop();
        await src.close();
        await l7.stop();
      }
    });

    // Last: member-down itself is balancer-independent and proven to clear behind HAProxy, so
    // this one only restarts the member, without waiting for it to rejoin.
    it('kill -9 → member-down, and NGINX takes the server out after max_fails (from its error log)', async () => {
      let sawDown = false;
      await run(
        'kill',
        'member-down',
        (r) => endpoint(r.member!),
        async (_f, r) => {
          await waitUntil(
            () =>
              bench.engine.state().balancer?.servers.find((x) => x.member === endpoint(r.member!))?.status ===
              'DOWN (max_fails)',
            15_000,
            'NGINX to mark the killed member down',
          );
          sawDown = true;
        },
        null,
      );
      expect(sawDown).toBe(true);
    });
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
    // ...and over more than 100 polls: an overloaded Fulcrum polls every 2 to 8 s for a while,
    // and 2 minutes then hold fewer, so the watch goes on until they are in (a count of polls,
    // not of polls in a time).
    await waitUntil(() => log.deltas.length > 100, 240_000, 'more than 100 polls');
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
  }, 420_000);
});
