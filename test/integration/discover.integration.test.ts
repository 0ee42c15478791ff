// `discover: true` against a real etcd cluster: one seed endpoint in the config, every member
// polled, and the member list followed when members are added (etcdctl member add + start) and
// removed (etcdctl member remove).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcdCluster, type EtcdCluster } from '../../dev/lib/etcd';
import { parseConfig } from '../../lib/config/load';
import { ClusterEngine } from '../../lib/engine/cluster';
import { sseResponse } from '../../lib/stream/sse';
import type { ClusterState } from '../../lib/types';
import { SseReader, waitUntil } from './helpers';

describe('discover: true follows etcd membership', () => {
  let dir: string;
  let etcd: EtcdCluster;
  let engine: ClusterEngine;
  const names = () =>
    engine
      .state()
      .members.map((m) => m.name)
      .sort();
  const allUp = () => engine.state().members.every((m) => m.status === 'up');

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-discover-'));
    etcd = await startEtcdCluster({ size: 3, dir });
    await etcd.waitHealthy(30_000);
    const yaml = [
      'pollIntervalMs: 500',
      'clusters:',
      '  - name: seeded',
      '    discover: true',
      `    endpoints: [${etcd.members[1].clientUrl}]`,
    ].join('\n');
    const cfg = parseConfig(yaml, path.join(dir, 'fulcrum.yaml'), {});
    engine = new ClusterEngine(cfg, cfg.clusters[0]);
    engine.start();
  });

  afterAll(async () => {
    await engine?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('expands the seed to every member etcd lists', async () => {
    await waitUntil(() => engine.state().members.length === 3 && allUp(), 60_000, 'three members up');
    const s = engine.state();
    expect(names()).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
    expect(s.members.map((m) => m.endpoint).sort()).toEqual(etcd.members.map((m) => m.clientUrl).sort());
    // The seed was a member: it kept its place (and its history).
    expect(s.members[0].endpoint).toBe(etcd.members[1].clientUrl);
    expect(s.members.filter((m) => m.isLeader)).toHaveLength(1);
    expect(engine.cluster.endpoints).toHaveLength(3);
  });

  it('adds a member etcd adds, and streams the new member list', async () => {
    const ac = new AbortController();
    const sse = new SseReader(sseResponse(engine, ac.signal).body!);
    expect((await sse.next()).event).toBe('state');
    const i = await etcd.addMember('etcd-4');
    await waitUntil(() => engine.state().members.length === 4 && allUp(), 90_000, 'the added member polled and up');
    expect(names()).toEqual(['etcd-1', 'etcd-2', 'etcd-3', 'etcd-4']);
    const added = engine.state().members.find((m) => m.name === 'etcd-4')!;
    expect(added.endpoint).toBe(etcd.members[i].clientUrl);
    expect(added.id).toMatch(/^\d+$/);
    expect(engine.state().frames.at(-1)!.up).toEqual([true, true, true, true]);
    // The stream sent the whole state with the fourth member (deltas can't say a member joined).
    let full: ClusterState | null = null;
    while (!full) {
      const ev = await sse.next(10_000);
      if (ev.event === 'state' && (ev.data as ClusterState).members.length === 4) full = ev.data as ClusterState;
    }
    ac.abort();
    await sse.cancel();
    expect(full.members.map((m) => m.endpoint)).toContain(etcd.members[i].clientUrl);
  });

  // Membership is read every 5 polls, and a loaded machine stretches the poll interval (and a
  // removed member's polls wait for their timeout): the waits are long deadlines, not timings.
  it('drops a member etcd removes', async () => {
    const gone = etcd.members[2];
    await etcd.removeMember(2);
    await waitUntil(
      () => !engine.state().members.some((m) => m.endpoint === gone.clientUrl),
      90_000,
      'the removed member dropped',
    );
    await waitUntil(allUp, 60_000, 'the remaining members up');
    expect(names()).toEqual(['etcd-1', 'etcd-2', 'etcd-4']);
    // Its history columns went with it; the others' stayed.
    expect(engine.state().frames.every((f) => f.up.length === 3)).toBe(true);
    expect(engine.state().frames.length).toBeGreaterThan(10);
  });
});
