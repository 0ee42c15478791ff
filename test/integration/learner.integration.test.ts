// A learner in the endpoint group, on a real etcd 3.4 cluster behind a real HAProxy: a fourth
// member added with `etcdctl member add --learner` and started, HAProxy's HTTP check (/health)
// keeps it UP, the load generator's clients that land on it fail ("rpc not supported for
// learner"). Fulcrum reads isLearner from the Status RPC and the server's state from HAProxy's
// runtime API, and raises learner-serving on that member only.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcdCluster, type EtcdCluster } from '../../dev/lib/etcd';
import { type Haproxy, startHaproxy } from '../../dev/lib/haproxy';
import { type LoadHandle, startLoad } from '../../dev/lib/load';
import { parseConfig } from '../../lib/config/load';
import { ClusterEngine } from '../../lib/engine/cluster';
import { waitUntil } from './helpers';

describe('learner-serving on a real learner behind HAProxy', () => {
  let dir: string;
  let etcd: EtcdCluster;
  let haproxy: Haproxy;
  let load: LoadHandle;
  let engine: ClusterEngine;
  let learner: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-learner-'));
    etcd = await startEtcdCluster({ size: 3, dir });
    await etcd.waitHealthy(30_000);
    const i = await etcd.addMember('etcd-4', { learner: true });
    learner = etcd.members[i].clientUrl;
    haproxy = await startHaproxy({
      dir,
      members: etcd.members,
      weights: [1, 1, 1, 1],
      check: 'http',
      checkInterMs: 500,
    });
    load = startLoad({
      target: haproxy.url,
      rate: 60,
      concurrency: 4,
      summaryEveryS: 2,
      logFile: path.join(dir, 'load.log'),
    });
    const yaml = [
      'pollIntervalMs: 1000',
      'clusters:',
      '  - name: learner',
      '    endpoints:',
      ...etcd.members.map((m) => `      - { url: "${m.clientUrl}", name: ${m.name} }`),
      '    balancer:',
      '      type: haproxy',
      `      runtimeApi: "${haproxy.runtimeSocket}"`,
      `      backend: ${haproxy.backend}`,
    ].join('\n');
    const cfg = parseConfig(yaml, path.join(dir, 'fulcrum.yaml'), {});
    engine = new ClusterEngine(cfg, cfg.clusters[0]);
    engine.start();
  }, 120_000);

  afterAll(async () => {
    await engine?.stop();
    await load?.stop();
    await haproxy?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the learner from etcd, sees HAProxy keep it UP, and raises learner-serving on it alone', async () => {
    await waitUntil(
      () => engine.state().members.some((m) => m.endpoint === learner && m.isLearner),
      30_000,
      'the learner reported by its Status',
    );
    // etcd's /health answers true on a learner once it knows the leader: HAProxy's HTTP check
    // keeps all four UP (a check may fail while the learner is still starting).
    let states: string[] = [];
    await waitUntil(
      async () => {
        states = Object.values(await haproxy.serverStats()).map((r) => r.status);
        return states.join() === 'UP,UP,UP,UP';
      },
      30_000,
      'HAProxy to have the four servers UP',
    );
    expect(states).toEqual(['UP', 'UP', 'UP', 'UP']);
    await waitUntil(
      () => engine.state().findings.some((f) => f.kind === 'learner-serving' && f.severity === 'critical'),
      60_000,
      'learner-serving (critical: it gets connections)',
    );
    const found = engine.state().findings.filter((f) => f.kind === 'learner-serving');
    expect(found.map((f) => f.members)).toEqual([[learner]]);
    expect(found[0].title).toContain('etcd-4 is a learner');
    // Clients routed to it really fail, as the finding says.
    await waitUntil(
      () => /not supported for learner/.test(readFileSync(path.join(dir, 'load.log'), 'utf8')),
      30_000,
      "the load generator's errors from the learner",
    );
    expect(found[0].fixes.map((f) => f.body).join('\n')).toMatch(/member promote [0-9a-f]+/);
    expect(
      engine
        .state()
        .members.filter((m) => m.isLearner)
        .map((m) => m.endpoint),
    ).toEqual([learner]);
  });
});
