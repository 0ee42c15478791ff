// The fleet API against real clusters: GET /api/fleet and its stream, as a fleet page reads them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as fleetGET } from '@/app/api/fleet/route';
import { GET as streamGET } from '@/app/api/fleet/stream/route';
import { startEtcdCluster, type EtcdCluster } from '@/dev/lib/etcd';
import { startLoad, type LoadHandle } from '@/dev/lib/load';
import { parseConfig } from '@/lib/config/load';
import { createRuntime, setRuntime, type Runtime } from '@/lib/engine/runtime';
import { applyFleetDelta } from '@/lib/fleet/delta';
import type { FleetDelta, FleetState } from '@/lib/fleet/types';
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
    expect(real).toMatchObject({ source: 'direct', labels: { env: 'prod', team: 'platform' }, pollIntervalMs: 500 });
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
