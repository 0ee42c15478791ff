// A member whose etcd process keeps starting again, on a real etcd 3.4 cluster: killed (SIGKILL)
// and started again at once, twice, as a supervisor restarts a crashing process. Fulcrum sees
// the process start time change between its polls and names the crash loop, on that member only.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcdCluster, type EtcdCluster } from '../../dev/lib/etcd';
import { parseConfig } from '../../lib/config/load';
import { ClusterEngine } from '../../lib/engine/cluster';
import { waitUntil } from './helpers';

describe('member-restarts on a real member that keeps restarting', () => {
  let dir: string;
  let etcd: EtcdCluster;
  let engine: ClusterEngine;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-restarts-'));
    etcd = await startEtcdCluster({ size: 3, dir });
    await etcd.waitHealthy(30_000);
    const yaml = [
      'pollIntervalMs: 1000',
      'clusters:',
      '  - name: restarts',
      '    endpoints:',
      ...etcd.members.map((m) => `      - { url: "${m.clientUrl}", name: ${m.name} }`),
    ].join('\n');
    const cfg = parseConfig(yaml, path.join(dir, 'fulcrum.yaml'), {});
    engine = new ClusterEngine(cfg, cfg.clusters[0]);
    engine.start();
    await waitUntil(() => engine.state().members.every((m) => m.status === 'up'), 30_000, 'every member up');
  }, 60_000);

  afterAll(async () => {
    await engine?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names the crash loop on the member that restarts, nothing on the others', async () => {
    const m = etcd.members[2];
    const startedAt = () => engine.state().members[2].signals.startedAt;
    for (let k = 0; k < 2; k++) {
      const before = startedAt();
      await etcd.kill9(2);
      // etcd's process_start_time_seconds has a resolution of 10 ms: a new process is a new value.
      await etcd.restart(2);
      await etcd.waitMemberHealthy(2, 30_000);
      await waitUntil(
        () => startedAt() !== null && startedAt() !== before && engine.state().members[2].status === 'up',
        30_000,
        `Fulcrum to read ${m.name}'s new start time (restart ${k + 1})`,
      );
    }
    await waitUntil(
      () => engine.state().findings.some((f) => f.kind === 'member-restarts' && f.severity === 'warning'),
      30_000,
      'member-restarts (a crash loop)',
    );
    const found = engine.state().findings.filter((f) => f.kind === 'member-restarts');
    expect(found.map((f) => f.members)).toEqual([[m.clientUrl]]);
    expect(found[0].title).toBe(`${m.name} is crash-looping: 2 restarts in the last minute`);
    expect(engine.state().members[2].signals.restarts).toBe(2);
    expect(
      engine
        .state()
        .members.slice(0, 2)
        .map((x) => x.signals.restarts),
    ).toEqual([0, 0]);
  });
});
