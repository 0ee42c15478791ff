// The fleet API against real clusters: GET /api/fleet and its stream, as a fleet page reads them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { GET as clusterGET } from '@/app/api/clusters/[name]/route';
import { GET as historyGET } from '@/app/api/clusters/[name]/history/route';
import { GET as fleetGET } from '@/app/api/fleet/route';
import { GET as metricsGET } from '@/app/api/metrics/route';
import { GET as streamGET } from '@/app/api/fleet/stream/route';
import { startEtcdCluster, type EtcdCluster } from '@/dev/lib/etcd';
import { startLoad, type LoadHandle } from '@/dev/lib/load';
import { type Prometheus, startPrometheus } from '@/dev/lib/prometheus';
import { type SyntheticExporter, type SyntheticSpec, startSyntheticExporter } from '@/dev/lib/synthetic-exporter';
import { parseConfig } from '@/lib/config/load';
import { createRuntime, setRuntime, type Runtime } from '@/lib/engine/runtime';
import { applyFleetDelta } from '@/lib/fleet/delta';
import type { FleetCluster, FleetDelta, FleetState } from '@/lib/fleet/types';
import { exportFile, freezeSnapshot } from '@/lib/snapshots/service';
import { RECORDED_IDS, recordingRules } from '@/lib/sources/prometheus-recorded';
import { parseSnapshotFile } from '@/lib/store/snapshotFormat';
import type { ClusterState } from '@/lib/types';
import { SseReader, waitUntil } from './helpers';

describe('fleet API: configured (polled) clusters', () => {
  let dir: string;
  let etcd: EtcdCluster;
  let rt: Runtime;
  let load: LoadHandle;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-fleet-'));
    etcd = await startEtcdCluster({ size: 3, dir });
    await etcd.waitHealthy(30_000);
    // Every request on the first member: a skewed cluster.
    load = await startLoad({
      target: etcd.members[0].clientUrl,
      rate: 60,
      pinned: true,
      logFile: path.join(dir, 'load.log'),
    });
    const yaml = [
      'pollIntervalMs: 500',
      'clusters:',
      '  - name: real',
      '    labels: { env: prod, team: platform }',
      '    endpoints:',
      ...etcd.members.map((m) => `      - ${m.clientUrl}`),
      '  - name: gone',
      '    labels: { env: stage }',
      '    endpoints: [http://127.0.0.1:1]',
    ].join('\n');
    rt = createRuntime(parseConfig(yaml, path.join(dir, 'fulcrum.yaml'), {}), { defaultMetrics: false });
    setRuntime(rt);
    rt.start();
  });

  afterAll(async () => {
    setRuntime(undefined);
    await rt?.stop();
    await load?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists every cluster with its source, labels, members and leader; filters by label', async () => {
    await waitUntil(
      async () => {
        const s = (await (await fleetGET(new Request('http://x/api/fleet'))).json()) as FleetState;
        const real = s.clusters.find((c) => c.name === 'real');
        return real?.status === 'ok' && (real.score ?? 0) > 0.8;
      },
      20_000,
      'the real cluster to be ok and skewed in the fleet',
    );
    const s = (await (await fleetGET(new Request('http://x/api/fleet'))).json()) as FleetState;
    expect(s.tickMs).toBe(500);
    expect(s.build).toBeTruthy();
    const real = s.clusters.find((c) => c.name === 'real')!;
    expect(real).toMatchObject({ source: 'direct', labels: { env: 'prod', team: 'platform' } });
    // The configured interval, or longer while Fulcrum is overloaded (a busy machine).
    expect(real.pollIntervalMs).toBeGreaterThanOrEqual(500);
    expect(real.members.map((m) => m.endpoint)).toEqual(etcd.members.map((m) => m.clientUrl));
    expect(real.members.map((m) => m.name)).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
    expect(real.members.filter((m) => m.isLeader)).toHaveLength(1);
    expect(real.leader).toBe(real.members.find((m) => m.isLeader)!.name);
    expect(real.members.map((m) => m.dims.requests?.expected)).toEqual([0.333, 0.333, 0.333]);
    expect(real.members[0].dims.requests!.share).toBeGreaterThan(0.9);
    await waitUntil(
      () => rt.fleet.state().clusters.find((c) => c.name === 'gone')?.status === 'down',
      20_000,
      'the unreachable cluster to be down',
    );
    const gone = rt.fleet.state().clusters.find((c) => c.name === 'gone')!;
    expect(gone.findings.critical).toBeGreaterThan(0);
    expect(gone.worst?.kind).toBe('member-down');

    const prod = (await (await fleetGET(new Request('http://x/api/fleet?label=env=prod'))).json()) as FleetState;
    expect(prod.clusters.map((c) => c.name)).toEqual(['real']);
    const bad = await fleetGET(new Request('http://x/api/fleet?label=env'));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: expect.stringMatching(/invalid parameter label/) });
  });

  it('streams the fleet, then a delta per fleet tick that keeps a client copy equal to the server', async () => {
    const ac = new AbortController();
    const res = await streamGET(new Request('http://x/api/fleet/stream', { signal: ac.signal }));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const sse = new SseReader(res.body!);
    const first = await sse.next();
    expect(first.event).toBe('fleet');
    let client = first.data as FleetState;
    expect(client.clusters.map((c) => c.name)).toEqual(['real', 'gone']);
    const seqs: number[] = [];
    while (seqs.length < 6) {
      const ev = await sse.next(10_000);
      expect(ev.event).toBe('fleet-delta');
      const d = ev.data as FleetDelta;
      seqs.push(d.seq);
      // A cluster travels at most once per delta: whole, as gone, or as polled again.
      const names = [...d.upserts.map((c) => c.name), ...d.removed, ...Object.keys(d.fresh ?? {})];
      expect(new Set(names).size).toBe(names.length);
      const r = applyFleetDelta(client, d);
      expect(r.kind).toBe('applied');
      if (r.kind === 'applied') client = r.state;
    }
    // One delta per tick, none skipped; the real cluster's summary moves with its polls.
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
    // The server's fleet at some tick; the client reaches the same tick through deltas alone.
    const server = rt.fleet.state();
    while (client.seq < server.seq) {
      const r = applyFleetDelta(client, (await sse.next(10_000)).data as FleetDelta);
      if (r.kind === 'applied') client = r.state;
    }
    expect(client).toEqual(server);
    ac.abort();
    await sse.cancel();
    expect(rt.fleet.hub.size).toBe(0);
  });
});

describe('fleet API: clusters discovered in Prometheus (real Prometheus, synthetic exporter, a real etcd cluster)', () => {
  let dir: string;
  let etcd: EtcdCluster;
  let exporter: SyntheticExporter;
  let prom: Prometheus;
  let rt: Runtime;
  const spec: SyntheticSpec = { clusters: 12, members: 3, extraNames: ['bad name!', 'x'.repeat(80)] };
  const fleet = async () => (await (await fleetGET(new Request('http://x/api/fleet'))).json()) as FleetState;
  const params = (name: string) => ({ params: Promise.resolve({ name }) });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-fleet-prom-'));
    etcd = await startEtcdCluster({ size: 3, dir: path.join(dir, 'etcd') });
    exporter = await startSyntheticExporter({ dir: path.join(dir, 'synthetic'), spec });
    // Fulcrum's recording rules for the fleet are loaded (the raw-series path runs in e2e/fleet.spec.ts).
    const rules = path.join(dir, 'fleet-rules.yml');
    writeFileSync(rules, stringify({ groups: [recordingRules('5s')] }));
    prom = await startPrometheus({
      dir: path.join(dir, 'prometheus'),
      targets: [],
      scrapeIntervalS: 1,
      fileSd: [{ job: 'syn', file: exporter.fileSd }],
      ruleFiles: [rules],
    });
    await etcd.waitHealthy(30_000);
    // syn-001 is configured (polled directly) and discovered: the configured one wins.
    const yaml = [
      'pollIntervalMs: 500',
      'prometheus:',
      `  url: ${prom.url}`,
      '  rateWindow: 5s',
      '  timeoutMs: 5000',
      '  backfill: false',
      'discovery:',
      '  prometheus:',
      `    selector: 'job="syn"'`,
      '    refresh: 2s',
      '    interval: 1s',
      'clusters:',
      '  - name: syn-001',
      '    endpoints:',
      ...etcd.members.map((m) => `      - ${m.clientUrl}`),
    ].join('\n');
    rt = createRuntime(parseConfig(yaml, path.join(dir, 'fulcrum.yaml'), {}), { defaultMetrics: false });
    setRuntime(rt);
    rt.start();
  });

  afterAll(async () => {
    setRuntime(undefined);
    await rt?.stop();
    await prom?.stop();
    await exporter?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists discovered clusters with source prometheus, their members, labels, down members and skew', async () => {
    // Discovery lists the members whose series Prometheus has: on a Prometheus started seconds
    // ago a member's first scrape can come after a discovery refresh, and the member joins on the
    // next one. Wait for every member of every discovered cluster.
    const ready = (c: FleetCluster | undefined) =>
      c?.members.length === spec.members &&
      c.members.every((m) => m.status === 'down' || (m.dims.requests?.share ?? null) !== null);
    // The fleet reads the recorded series once Prometheus has them (found at a discovery refresh).
    await waitUntil(
      () => rt.discovery!.lastTick?.recorded.length === RECORDED_IDS.length,
      60_000,
      "the fleet reading every recorded series of Fulcrum's recording rules",
    );
    await waitUntil(
      async () => {
        const s = await fleet();
        return s.clusters.length === 12 && s.clusters.filter((c) => c.source === 'prometheus').every(ready);
      },
      60_000,
      '11 discovered clusters, each with its 3 members and request shares, beside the configured one',
    );
    const s = await fleet();
    const byName = new Map(s.clusters.map((c) => [c.name, c]));
    expect([...byName.keys()].sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `syn-${String(i).padStart(3, '0')}`),
    );
    const configured = byName.get('syn-001')!;
    expect(configured.source).toBe('direct');
    expect(configured.members.map((m) => m.endpoint)).toEqual(etcd.members.map((m) => m.clientUrl));
    for (const c of s.clusters.filter((x) => x.source === 'prometheus')) {
      expect(c.members.map((m) => m.endpoint)).toEqual([1, 2, 3].map((j) => `etcd-${j}.${c.name}:2379`));
      expect(Object.keys(c.labels).sort()).toEqual(['env', 'region', 'team']);
      expect(c.pollIntervalMs).toBe(1000);
    }
    expect(byName.get('syn-000')!.labels).toEqual({ env: 'prod', region: 'eu-west', team: 'platform' });
    // syn-003 and syn-010 have their last member down (503: Prometheus says up=0).
    for (const name of ['syn-003', 'syn-010']) {
      const c = byName.get(name)!;
      expect(c.members.map((m) => m.status)).toEqual(['up', 'up', 'down']);
      expect(c.status).toBe('degraded');
    }
    // syn-002 and syn-007: the first member takes 70 % of the requests.
    await waitUntil(
      async () => ((await fleet()).clusters.find((c) => c.name === 'syn-007')?.worst?.kind ?? '') === 'request-skew',
      30_000,
      'request-skew on a skewed discovered cluster',
    );
    const skewed = (await fleet()).clusters.find((c) => c.name === 'syn-007')!;
    expect(skewed.members[0].dims.requests!.share).toBeGreaterThan(0.55);
    expect(skewed.score).toBeGreaterThan(0.3);
    expect(byName.get('syn-000')!.score ?? 1).toBeLessThan(0.25);

    // Untrusted names were left out and counted; queries per tick stay bounded.
    expect(rt.discovery!.lastDiscovery!.skipped['invalid-name']).toBe(2);
    expect(rt.discovery!.lastTick!.queries).toBeLessThanOrEqual(14);
    expect(rt.discovery!.lastTick!.queries).toBeGreaterThanOrEqual(11);
    const metrics = await (await metricsGET(new Request('http://x/api/metrics'))).text();
    expect(Number(/fulcrum_prometheus_queries_total\{purpose="fleet"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(11);
    expect(metrics).toMatch(/fulcrum_prometheus_queries_total\{purpose="discovery"\} [1-9]/);
    expect(metrics).toMatch(/fulcrum_discovery_skipped\{reason="invalid-name"\} 2/);
    expect(metrics).toMatch(/fulcrum_fleet_clusters\{source="prometheus"\} 11/);
  });

  it('serves a discovered cluster like any other: state, checks, history from Prometheus', async () => {
    const r = await clusterGET(new Request('http://x/api/clusters/syn-004'), params('syn-004'));
    expect(r.status).toBe(200);
    const st = (await r.json()) as ClusterState;
    expect(st.members.map((m) => m.source)).toEqual(['prometheus', 'prometheus', 'prometheus']);
    expect(st.sources.etcd).toBeNull();
    expect(st.sources.prometheus?.ok).toBe(true);
    expect(st.checks.find((c) => c.kind === 'raft-lag')?.note).toMatch(/read from Prometheus only/);
    expect(st.members.every((m) => m.version === '3.5.17')).toBe(true);
    type History = { source: string; error: string | null; frames: Array<{ up: boolean[] }> };
    const history = async () => {
      const from = Date.now() - 3_600_000;
      const h = await historyGET(new Request(`http://x/api/clusters/syn-004/history?from=${from}`), params('syn-004'));
      return (await h.json()) as History;
    };
    // The range ends at the last whole step (5 s for an hour): on a Prometheus started seconds
    // ago, a member's first scrape can fall after it. Ask again until a step has all three.
    let hist = await history();
    await waitUntil(
      async () => {
        hist = await history();
        return hist.frames.at(-1)?.up.every(Boolean) ?? false;
      },
      30_000,
      "a history step after every member's first scrape",
    );
    expect(hist.error).toBeNull();
    expect(hist.source).toBe('prometheus');
    expect(hist.frames.length).toBeGreaterThan(0);
    expect(hist.frames.at(-1)!.up).toEqual([true, true, true]);
    // A snapshot of it freezes the same state, and passes the snapshot format's own check.
    const rec = await freezeSnapshot(
      rt.config,
      rt.clusters.get('syn-004')!,
      { from: Date.now() - 60_000 },
      { now: Date.now(), createdBy: null, queryLogs: null },
    );
    expect(rec.cluster.endpoints.map((e) => e.url)).toEqual([1, 2, 3].map((j) => `etcd-${j}.syn-004:2379`));
    expect(rec.state.members.map((m) => m.source)).toEqual(['prometheus', 'prometheus', 'prometheus']);
    expect(rec.state.frames.length).toBeGreaterThan(0);
    expect(() => parseSnapshotFile(JSON.stringify(exportFile(rec, Date.now())))).not.toThrow();
  });

  it('drops clusters whose series go and adds them back when they return, each time in a fleet delta', async () => {
    const ac = new AbortController();
    const res = await streamGET(new Request('http://x/api/fleet/stream', { signal: ac.signal }));
    const sse = new SseReader(res.body!);
    expect((await sse.next()).event).toBe('fleet');
    await exporter.setSpec({ ...spec, removed: [4, 5] });
    const removed = new Set<string>();
    const deadline = Date.now() + 60_000;
    while (removed.size < 2 && Date.now() < deadline) {
      const ev = await sse.next(10_000);
      if (ev.event === 'fleet-delta') for (const n of (ev.data as FleetDelta).removed) removed.add(n);
    }
    expect([...removed].sort()).toEqual(['syn-004', 'syn-005']);
    expect(rt.clusters.has('syn-004')).toBe(false);
    const s = await fleet();
    expect(s.clusters).toHaveLength(10);
    expect((await clusterGET(new Request('http://x/api/clusters/syn-004'), params('syn-004'))).status).toBe(404);

    // Their series come back: the clusters do too, as upserts of the same stream (members as
    // Prometheus scrapes them: a cluster may first show up with part of its members).
    await exporter.setSpec(spec);
    const back = new Map<string, FleetCluster>();
    const whole = () => back.size === 2 && [...back.values()].every((c) => c.members.length === 3);
    const until = Date.now() + 60_000;
    while (!whole() && Date.now() < until) {
      const ev = await sse.next(10_000);
      if (ev.event !== 'fleet-delta') continue;
      for (const c of (ev.data as FleetDelta).upserts)
        if (c.name === 'syn-004' || c.name === 'syn-005') back.set(c.name, c);
    }
    ac.abort();
    await sse.cancel();
    expect([...back.keys()].sort()).toEqual(['syn-004', 'syn-005']);
    for (const c of back.values()) {
      expect(c.source).toBe('prometheus');
      expect(c.members.map((m) => m.endpoint)).toEqual([1, 2, 3].map((j) => `etcd-${j}.${c.name}:2379`));
    }
    expect((await fleet()).clusters).toHaveLength(12);
    expect((await clusterGET(new Request('http://x/api/clusters/syn-004'), params('syn-004'))).status).toBe(200);
  });
});
