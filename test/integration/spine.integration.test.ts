// The spine against the real thing: 3 etcd members behind HAProxy (weights 30/20/10) with load,
// Fulcrum's engine polling them, its SSE stream read as a browser would. No mocks.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcdCluster, type EtcdCluster } from '../../dev/lib/etcd';
import { startHaproxy, type Haproxy } from '../../dev/lib/haproxy';
import { startLoad, type LoadHandle } from '../../dev/lib/load';
import { parseConfig } from '../../lib/config/load';
import { ClusterEngine } from '../../lib/engine/cluster';
import { applyDelta } from '../../lib/stream/delta';
import { sseResponse } from '../../lib/stream/sse';
import { Telemetry } from '../../lib/telemetry/metrics';
import type { ClusterDelta, ClusterState, MemberState } from '../../lib/types';
import { SseReader, waitUntil } from './helpers';

const WEIGHTS = [30, 20, 10];

describe('spine: shares, member down, stream', () => {
  let dir: string;
  let etcd: EtcdCluster;
  let haproxy: Haproxy;
  let load: LoadHandle;
  let engine: ClusterEngine;
  const telemetry = new Telemetry({ defaultMetrics: false });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-spine-'));
    etcd = await startEtcdCluster({ size: 3, dir });
    await etcd.waitHealthy(30_000);
    haproxy = await startHaproxy({
      dir: path.join(dir, 'haproxy'),
      members: etcd.members,
      weights: WEIGHTS,
      check: 'http',
    });
    load = await startLoad({
      target: haproxy.url,
      rate: 150,
      requestsPerConnection: 10,
      concurrency: 6,
      logFile: path.join(dir, 'load.log'),
    });
    const yaml = [
      'pollIntervalMs: 1000',
      'scoreWindowPolls: 10',
      'clusters:',
      '  - name: spine',
      '    endpoints:',
      ...etcd.members.map((m, i) => `      - { url: "${m.clientUrl}", weight: ${WEIGHTS[i]} }`),
    ].join('\n');
    const cfg = parseConfig(yaml, 'spine.yaml', {});
    engine = new ClusterEngine(cfg, cfg.clusters[0], { telemetry });
    engine.start();
  });

  afterAll(async () => {
    await engine?.stop();
    await load?.stop();
    await haproxy?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('measures request shares that follow the HAProxy weights within 5 points', async () => {
    // Let the window fill, then sum 20 polls of per-member request rates (deadlines, not timings:
    // a busy machine backs Fulcrum off to polls up to 8 s apart for a while).
    await waitUntil(() => engine.state().seq >= 12, 120_000, 'engine polling');
    const startSeq = engine.state().seq;
    await waitUntil(() => engine.state().seq >= startSeq + 20, 160_000, '20 more polls');
    const frames = engine
      .state()
      .frames.filter((f) => f.origin === 'poll')
      .slice(-20);
    const totals = [0, 0, 0];
    for (const f of frames) for (const [i, v] of f.values.requests.entries()) totals[i] += v ?? 0;
    const sum = totals.reduce((a, b) => a + b, 0);
    expect(sum).toBeGreaterThan(0);
    const shares = totals.map((t) => t / sum);
    const expected = WEIGHTS.map((w) => w / 60);
    for (const [i, s] of shares.entries()) {
      expect(Math.abs(s - expected[i]), `member ${i}: ${shares.map((x) => x.toFixed(3))}`).toBeLessThan(0.05);
    }

    const s = engine.state();
    expect(s.scores.requests.basis).toBe('weights');
    expect(s.scores.requests.score!).toBeLessThan(0.12);
    // Against equal shares the same traffic is skewed: (0.5 - 1/3) / (2/3) = 0.25.
    expect(s.scores.requests.scoreEqual!).toBeGreaterThan(0.15);
    expect(s.members.map((m) => m.dims.requests.expectedShare)).toEqual([0.5, 0.3333, 0.1667]);
    const leaders = s.members.filter((m) => m.isLeader);
    expect(leaders).toHaveLength(1);
    // The same numbers on /api/metrics, for Prometheus alerts.
    const text = await telemetry.registry.metrics();
    const score = Number(/fulcrum_imbalance_score\{cluster="spine",dimension="requests"\} (\S+)/.exec(text)?.[1]);
    expect(score).toBeLessThan(0.12);
    expect(text).toMatch(/fulcrum_member_share\{cluster="spine",member="etcd-1",dimension="requests"\} 0\.[45]/);
    expect(text).toMatch(/fulcrum_poll_duration_seconds_count\{cluster="spine"\} [1-9]/);
    for (const m of s.members) {
      expect(m.id).toMatch(/^\d+$/);
      expect(m.version).toBe('3.4.23');
      expect(m.status).toBe('up');
    }
  }, 300_000);

  it('turns kill -9 of a member into "member down" within 3 polls while the stream keeps flowing', async () => {
    const ac = new AbortController();
    const res = sseResponse(engine, ac.signal);
    const sse = new SseReader(res.body!);
    const first = await sse.next();
    expect(first.event).toBe('state');
    // The browser's copy: the full state, then each delta applied to it.
    let view = first.data as ClusterState;
    const victim = 1;
    const victimUrl = etcd.members[victim].clientUrl;
    const seqAtKill = engine.state().seq;
    await etcd.kill9(victim);
    let downAt: ClusterState | null = null;
    const after: ClusterState[] = [];
    while (after.length < 8) {
      const ev = await sse.next(10_000);
      if (ev.event !== 'delta') continue;
      const r = applyDelta(view, ev.data as ClusterDelta);
      expect(r.kind).toBe('applied');
      if (r.kind !== 'applied') break;
      view = r.state;
      after.push(view);
      const m = view.members.find((x: MemberState) => x.endpoint === victimUrl)!;
      if (!downAt && m.status === 'down') downAt = view;
    }
    ac.abort();
    expect(downAt, 'member never reported down').not.toBeNull();
    expect(downAt!.seq - seqAtKill).toBeLessThanOrEqual(3);
    // The stream kept flowing: consecutive deltas after the kill, and it says so in events.
    for (let i = 1; i < after.length; i++) expect(after[i].seq).toBe(after[i - 1].seq + 1);
    const st: ClusterState = engine.state();
    expect(st.events.some((e) => e.kind === 'member-down' && e.member === victimUrl)).toBe(true);
    expect(st.status).toBe('degraded');
    const dead = st.members[victim];
    expect(dead.error).toBeTruthy();
    expect(dead.version).toBe('3.4.23'); // last known facts stay
    // The survivors now carry everything; expectation renormalises over them (30:10).
    expect(st.members[0].dims.requests.expectedShare).toBeCloseTo(0.75, 3);

    await etcd.restart(victim);
    await waitUntil(() => engine.state().members[victim].status === 'up', 30_000, 'member back up');
    expect(engine.state().events.some((e) => e.kind === 'member-up' && e.member === victimUrl)).toBe(true);
  });

  it('keeps polling on schedule while a member is frozen (SIGSTOP): deadlines, not hangs', async () => {
    const seq0 = engine.state().seq;
    etcd.freeze(2);
    try {
      await waitUntil(() => engine.state().members[2].status === 'down', 60_000, 'frozen member down');
      const seq1 = engine.state().seq;
      // Polls go on while the member stays frozen: a call without a deadline would hang the next
      // poll for good. (How often: every interval, or a longer one when polls overrun it; the
      // state says which. A deadline for the check, not a speed assertion.)
      await waitUntil(() => engine.state().seq - seq1 >= 3, 60_000, 'three more polls with the member frozen');
      expect(engine.state().members[2].status).toBe('down');
      expect(engine.state().members[2].error).toMatch(/deadline|no answer|DEADLINE/i);
    } finally {
      etcd.thaw(2);
    }
    await waitUntil(() => engine.state().members[2].status === 'up', 30_000, 'thawed member back up');
    expect(engine.state().seq).toBeGreaterThan(seq0);
  });
});
