import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load';
import type { LiveCluster } from '../engine/live';
import type { PromSeries } from '../sources/prometheus';
import type { QueryRunner } from '../sources/prometheus-queries';
import { PrometheusFleet } from './discovery';
import { summarize } from './fleet';

// A stand-in Prometheus for the fleet's queries: members are up with request rates, or down.
// With `recorded`, Prometheus has the recorded request rate of Fulcrum's recording rules (30s window).
function fakeProm(fleet: Record<string, Record<string, number | 'down'>>, calls: string[], recorded = false) {
  const s = (metric: Record<string, string>, v: number): PromSeries => ({ metric, values: [[1, v]] });
  let failing = false;
  const runner: QueryRunner = {
    async query(q) {
      calls.push(q);
      if (failing) throw new Error('Prometheus /api/v1/query: ECONNREFUSED');
      if (q.startsWith('group by (__name__)'))
        return recorded ? [s({ __name__: 'fulcrum:etcd_grpc_requests:rate30s' }, 1)] : [];
      const out: PromSeries[] = [];
      for (const [cluster, members] of Object.entries(fleet))
        for (const [instance, rate] of Object.entries(members)) {
          const m = { cluster, instance, env: 'prod' };
          if (q.startsWith('etcd_server_has_leader')) out.push(s(m, 1));
          else if (q.includes('fulcrum_q')) {
            out.push(s({ ...m, fulcrum_q: 'up' }, rate === 'down' ? 0 : 1));
            if (rate !== 'down') out.push(s({ ...m, fulcrum_q: 'leader' }, instance.endsWith('1') ? 1 : 0));
          } else if (
            rate !== 'down' &&
            ((q.includes('grpc_server_started_total{') && q.includes('KV|Watch|Lease')) ||
              (recorded && q.startsWith('sum by (cluster,instance) (fulcrum:etcd_grpc_requests:rate30s{')))
          )
            out.push(s(m, rate));
        }
      return out;
    },
    async queryRange() {
      return [];
    },
  };
  return {
    runner,
    fail(v: boolean) {
      failing = v;
    },
  };
}

const yaml = `
pollIntervalMs: 1000
prometheus: { url: http://127.0.0.1:1 }
discovery:
  prometheus: { selector: 'job="etcd"', refresh: 10s, interval: 5s }
clusters:
  - name: mine
    endpoints: [http://127.0.0.1:1]
`;

describe('PrometheusFleet', () => {
  it('adds discovered clusters read from Prometheus, updates their members, removes them when their series go', async () => {
    const cfg = parseConfig(yaml, '/f.yaml', {});
    const clusters = new Map<string, LiveCluster>();
    const configured = { name: 'mine', source: 'direct' } as unknown as LiveCluster;
    clusters.set('mine', configured);
    const world: Record<string, Record<string, number | 'down'>> = {
      a: { a1: 70, a2: 15, a3: 15 },
      b: { b1: 10, b2: 'down' },
      mine: { x1: 1 },
      'bad name': { z: 1 },
    };
    const calls: string[] = [];
    const p = fakeProm(world, calls);
    let now = 1_000_000;
    const lines: string[] = [];
    const pf = new PrometheusFleet({
      config: cfg,
      discovery: cfg.discovery!,
      clusters,
      prom: p.runner,
      now: () => now,
      logLine: (l) => lines.push(l),
    });
    const first = await pf.tick();
    expect(first).toMatchObject({ discovered: true, clusters: 2, error: null });
    // Discovery, the look for recorded series, one query per dimension, one for status, one for the slow signals.
    expect(first.queries).toBe(14);
    expect(calls).toHaveLength(14);
    expect(first.recorded).toEqual([]);
    expect(calls.filter((q) => q.includes('fulcrum:'))).toHaveLength(1); // only the look
    expect([...clusters.keys()]).toEqual(['mine', 'a', 'b']);
    expect(clusters.get('mine')).toBe(configured); // the configured cluster wins
    expect(pf.lastDiscovery?.skipped).toMatchObject({ 'invalid-name': 1, configured: 1 });
    const a = clusters.get('a')!;
    expect(a.source).toBe('prometheus');
    expect(a.cluster.labels).toEqual({ env: 'prod' });
    const sa = a.state();
    expect(sa.members.map((m) => [m.endpoint, m.status, m.source, m.isLeader])).toEqual([
      ['a1', 'up', 'prometheus', true],
      ['a2', 'up', 'prometheus', false],
      ['a3', 'up', 'prometheus', false],
    ]);
    expect(sa.members[0].dims.requests.share).toBeCloseTo(0.7, 3);
    expect(sa.sources.etcd).toBeNull();
    expect(sa.pollIntervalMs).toBe(5000);
    // The same detectors as a polled cluster; what needs direct access says so.
    expect(sa.checks.find((c) => c.kind === 'raft-lag')).toMatchObject({
      state: 'not-checked',
      note: expect.stringMatching(/read from Prometheus only, needs .*Status RPC/),
    });
    expect(sa.checks.find((c) => c.kind === 'request-skew')?.state).toBe('firing');
    const b = clusters.get('b')!.state();
    expect(b.members.map((m) => m.status)).toEqual(['up', 'down']);
    expect(summarize(clusters.get('b')!)).toMatchObject({ source: 'prometheus', status: 'degraded', leader: 'b1' });

    // Between refreshes: no discovery; one slow part per tick, in turn (the first tick asked all four).
    const slowAsked = () =>
      ['quota', 'version', 'leaderChanges', 'walFsyncP99'].filter((part) =>
        calls.some((q) => q.includes(`"fulcrum_q", "${part}"`)),
      );
    expect(slowAsked()).toHaveLength(4);
    const turns: string[][] = [];
    for (const discovery of [false, true, false]) {
      now += 5_000;
      calls.length = 0;
      expect(await pf.tick()).toMatchObject({ discovered: discovery, queries: discovery ? 14 : 12 });
      turns.push(slowAsked());
    }
    expect(turns).toEqual([['version'], ['leaderChanges'], ['walFsyncP99']]);
    // Skew holds for raiseAfterPolls ticks: the same finding as for a polled cluster.
    now += 5_000;
    world.a.a4 = 0;
    delete world.b;
    await pf.tick();
    now += 5_000;
    await pf.tick();
    expect([...clusters.keys()]).toEqual(['mine', 'a']);
    const a2 = clusters.get('a')!.state();
    expect(a2.members.map((m) => m.endpoint)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(a2.seq).toBe(6); // the same engine, history kept
    expect(a2.frames.at(-1)!.up).toHaveLength(4);
    expect(a2.findings.map((f) => f.kind)).toContain('request-skew');

    // Prometheus down: the tick says why, the clusters stay, their members are unknown.
    p.fail(true);
    now += 5_000;
    const failed = await pf.tick();
    expect(failed.error).toMatch(/ECONNREFUSED/);
    const a3 = clusters.get('a')!.state();
    expect(a3.sources.prometheus).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(a3.members.every((m) => m.status === 'unknown')).toBe(true);
    // One log line for the fleet, not one per cluster.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^fulcrum: discovered clusters: cluster a: prometheus: .*ECONNREFUSED/);
    await pf.stop();
    expect([...clusters.keys()]).toEqual(['mine']);
  });

  it("reads Fulcrum's recorded series when Prometheus has them, and says so once", async () => {
    const cfg = parseConfig(yaml, '/f.yaml', {});
    const clusters = new Map<string, LiveCluster>();
    const calls: string[] = [];
    const lines: string[] = [];
    const p = fakeProm({ a: { a1: 70, a2: 20, a3: 10 } }, calls, true);
    const pf = new PrometheusFleet({
      config: cfg,
      discovery: cfg.discovery!,
      clusters,
      prom: p.runner,
      now: () => 1_000_000,
      logLine: (l) => lines.push(l),
    });
    const t = await pf.tick();
    expect(t).toMatchObject({ error: null, recorded: ['requests'] });
    // The request rate from the recorded series, every other query from the raw ones.
    expect(calls.filter((q) => q.includes('fulcrum:etcd_grpc_requests:rate30s{'))).toHaveLength(1);
    expect(calls.some((q) => q.includes('grpc_server_started_total{') && q.includes('KV|Watch|Lease'))).toBe(false);
    expect(calls.some((q) => q.includes('rate(grpc_server_started_total{') && q.includes('"Range"'))).toBe(true);
    expect(clusters.get('a')!.state().members[0].dims.requests.share).toBeCloseTo(0.7, 3);
    expect(lines.filter((l) => l.includes('recorded series'))).toEqual([
      expect.stringMatching(/reading Fulcrum's recorded series for requests/),
    ]);
    await pf.stop();
  });

  it('a refresh tick sends the discovery and the fleet queries together, and feeds a cluster it finds from the same answers', async () => {
    const cfg = parseConfig(yaml, '/f.yaml', {});
    const clusters = new Map<string, LiveCluster>();
    const world: Record<string, Record<string, number | 'down'>> = { a: { a1: 50, a2: 50 } };
    const p = fakeProm(world, []);
    // From the second tick on, the discovery's answer waits until the fleet's status query is sent:
    // a tick that waited for the discovery before sending its fleet queries would never end.
    let gate: { sent: Promise<void>; release: () => void } | null = null;
    const runner: QueryRunner = {
      async query(q, t) {
        if (q.includes('fulcrum_q')) gate?.release();
        else if (q.startsWith('etcd_server_has_leader')) await gate?.sent;
        return p.runner.query(q, t);
      },
      queryRange: p.runner.queryRange,
    };
    let now = 1_000_000;
    const pf = new PrometheusFleet({ config: cfg, discovery: cfg.discovery!, clusters, prom: runner, now: () => now });
    expect(await pf.tick()).toMatchObject({ discovered: true, clusters: 1, error: null });
    let release = () => {};
    const sent = new Promise<void>((r) => {
      release = r;
    });
    gate = { sent, release };
    world.b = { b1: 90, b2: 10 };
    now += 10_000;
    expect(await pf.tick()).toMatchObject({ discovered: true, clusters: 2, error: null });
    expect(
      clusters
        .get('b')!
        .state()
        .members.map((m) => m.dims.requests.share),
    ).toEqual([0.9, 0.1]);
    await pf.stop();
  });
});
