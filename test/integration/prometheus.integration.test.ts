// Prometheus as a source, for real: Debian's prometheus scraping a real 3-member etcd.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdCluster } from '../../dev/lib/etcd';
import { freePort } from '../../dev/lib/procs';
import type { Prometheus } from '../../dev/lib/prometheus';
import { startLoad, type LoadHandle } from '../../dev/lib/load';
import { hostPort, parseConfig } from '../../lib/config/load';
import { ClusterEngine } from '../../lib/engine/cluster';
import { parsePromText } from '../../lib/analysis/promtext';
import { PrometheusError, PrometheusSource } from '../../lib/sources/prometheus';
import { etcdScrapedByPrometheus, waitUntil } from './helpers';

describe('Prometheus source', () => {
  let dir: string;
  let etcd: EtcdCluster;
  let prom: Prometheus;
  let load: LoadHandle;
  const engines: ClusterEngine[] = [];

  const config = (promUrl: string, directLast = true) =>
    parseConfig(
      [
        'pollIntervalMs: 1000',
        'prometheus:',
        `  url: ${promUrl}`,
        '  rateWindow: 5s',
        'clusters:',
        '  - name: p',
        '    endpoints:',
        ...etcd.members.map(
          (m, i) => `      - { url: "${m.clientUrl}"${i === 2 && !directLast ? ', direct: false' : ''} }`,
        ),
        '    prometheus: { selector: \'job="etcd"\' }',
      ].join('\n'),
      'p.yaml',
      {},
    );

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-prom-'));
    ({ etcd, prom } = await etcdScrapedByPrometheus(dir));
    load = await startLoad({
      target: etcd.members[2].clientUrl,
      rate: 60,
      concurrency: 2,
      logFile: path.join(dir, 'load.log'),
    });
    // Enough scrapes for 5 s rate windows.
    const src = new PrometheusSource(prom.url, 2000);
    await waitUntil(
      async () => (await src.query('count(up{job="etcd"} == 1)').catch(() => []))[0]?.values[0]?.[1] === 3,
      60_000,
      'Prometheus scraping 3 members',
    );
    await new Promise((r) => setTimeout(r, 12_000));
  });

  afterAll(async () => {
    await Promise.all(engines.map((e) => e.stop()));
    await load?.stop();
    await prom?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers queries and reports PromQL errors clearly', async () => {
    const src = new PrometheusSource(prom.url, 2000);
    const up = await src.query('up{job="etcd"}');
    expect(up.map((s) => s.metric.instance).sort()).toEqual(etcd.members.map((m) => hostPort(m.clientUrl)).sort());
    await expect(src.query('sum(')).rejects.toThrow(PrometheusError);
    await expect(src.query('sum(')).rejects.toThrow(/bad_data/);
  });

  it('fills the history window on start, and serves older ranges from query_range', async () => {
    const cfg = config(prom.url);
    const engine = new ClusterEngine(cfg, cfg.clusters[0]);
    engines.push(engine);
    const n = await engine.backfill();
    expect(n).toBeGreaterThan(5);
    const frames = engine.state().frames;
    expect(frames.every((f) => f.origin === 'prometheus')).toBe(true);
    const recent = frames.slice(-3);
    // Load goes to member 3 only: the backfilled shares show it.
    for (const f of recent) {
      expect(f.up).toEqual([true, true, true]);
      expect(f.shares.requests[2]!).toBeGreaterThan(0.9);
      expect(f.scores.requests!).toBeGreaterThan(0.8);
      expect(f.leader).toBeGreaterThanOrEqual(0);
    }
    engine.start();
    await waitUntil(
      () => engine.state().frames.some((f) => f.origin === 'poll'),
      60_000,
      'a live poll after the backfill',
    );
    const h = await engine.history(Date.now() - 10 * 60_000, Date.now() - 3000);
    expect(h.source).toBe('prometheus');
    expect(h.error).toBeNull();
    expect(h.frames.length).toBeGreaterThan(3);
  });

  it('reads a member Fulcrum cannot reach from Prometheus', async () => {
    const cfg = config(prom.url, false);
    const engine = new ClusterEngine(cfg, cfg.clusters[0]);
    engines.push(engine);
    engine.start();
    await waitUntil(
      () => engine.state().members[2].source === 'prometheus' && engine.state().members[2].dims.requests.value !== null,
      60_000,
      'member 3 via Prometheus',
    );
    const m = engine.state().members[2];
    expect(m.status).toBe('up');
    expect(m.dims.requests.value!).toBeGreaterThan(10);
    expect(engine.state().sources.prometheus?.ok).toBe(true);
  });

  it('degrades, never stops, when Prometheus is dead', async () => {
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const cfg = config(deadUrl, false);
    const engine = new ClusterEngine(cfg, cfg.clusters[0]);
    engines.push(engine);
    expect(await engine.backfill()).toBe(0);
    engine.start();
    await waitUntil(() => engine.state().seq >= 4, 60_000, 'polls with a dead Prometheus');
    const s = engine.state();
    expect(s.sources.prometheus?.ok).toBe(false);
    expect(s.sources.prometheus?.error).toMatch(/ECONNREFUSED/);
    expect(s.members.slice(0, 2).every((m) => m.status === 'up')).toBe(true);
    expect(s.members[2].status).toBe('unknown');
    expect(s.members[2].error).toMatch(/Prometheus/);
    const h = await engine.history(Date.now() - 3600_000, Date.now());
    expect(h.source).toBe('memory');
    expect(h.error).toMatch(/ECONNREFUSED/);
  });

  it('asks Prometheus about a dead member only every few polls, not a dozen queries each poll', async () => {
    // Only this engine talks to Prometheus while we count.
    await Promise.all(engines.splice(0).map((e) => e.stop()));
    const cfg = config(prom.url);
    const engine = new ClusterEngine(cfg, cfg.clusters[0]);
    engines.push(engine);
    engine.start();
    await etcd.kill9(0);
    await waitUntil(() => engine.state().members[0].status === 'down', 60_000, 'member 1 down');
    // Prometheus' own counter of instant queries, from its /metrics (it does not scrape itself here).
    const queries = async () =>
      parsePromText(await (await fetch(`${prom.url}/metrics`)).text(), (n) => n === 'prometheus_http_requests_total')
        .samples.filter((x) => x.labels.handler === '/api/v1/query')
        .reduce((a, x) => a + x.value, 0);
    const before = await queries();
    const seq0 = engine.state().seq;
    // Ten polls, however long they take (was: the polls of 10 s, at least 5; an overloaded
    // Fulcrum polls every 2 to 8 s for a while, and 10 s may hold 2).
    await waitUntil(() => engine.state().seq - seq0 >= 10, 120_000, 'ten polls with member 1 down');
    const polls = engine.state().seq - seq0;
    const used = (await queries()) - before;
    // One fallback asks 13 queries; without the quiet period that is 13 per poll.
    expect(used).toBeLessThan(13 * polls * 0.5);
    expect(engine.state().members[0].status).toBe('down');
  });
});
