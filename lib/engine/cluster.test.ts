// The engine's own failures and its derived config: a crash inside a poll, log sources that
// can't be read, the balancer's kind and backend. Member answers are fakes (what a member source
// returns); log files are real files in a temp dir.
import { NO_LAG } from './lag';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load';
import type { MemberPoll } from '../sources/etcd';
import type { HaproxySnapshot } from '../sources/haproxy';
import { ClusterEngine, type EngineOptions, type StreamMessage } from './cluster';
import { RateLimitedLog } from './log';
import { Telemetry } from '../telemetry/metrics';
import type { EngineTelemetry } from './publish';

const T0 = Date.UTC(2026, 0, 1);

function config(extra: Record<string, unknown> = {}) {
  const text = YAML.stringify({
    pollIntervalMs: 1000,
    clusters: [
      {
        name: 'c',
        endpoints: [
          { url: 'http://127.0.0.1:23790', name: 'etcd-1' },
          { url: 'http://127.0.0.1:23791', name: 'etcd-2' },
        ],
        ...extra,
      },
    ],
  });
  const cfg = parseConfig(text, 'test.yaml', {});
  return { cfg, cluster: cfg.clusters[0] };
}

/** A member that answers /health and nothing else. */
const healthyPoll = (endpoint: string, t: number): MemberPoll => ({
  endpoint,
  t,
  status: null,
  statusError: null,
  health: { healthy: true, reason: null },
  healthError: null,
  alarms: null,
  counters: null,
  metricsError: null,
  members: null,
  durationMs: 1,
  cert: null,
  certError: null,
});

/** An engine on fake member answers, with its telemetry calls, log lines and hub messages recorded. */
function harness(cfgExtra: Record<string, unknown> = {}, opts: Partial<EngineOptions> = {}, real?: Telemetry) {
  const { cfg, cluster } = config(cfgExtra);
  let t = T0;
  let crash = false;
  const calls: string[] = [];
  const lines: string[] = [];
  const messages: StreamMessage['type'][] = [];
  const telemetry: EngineTelemetry = {
    pollDone: (...a) => {
      calls.push('pollDone');
      real?.pollDone(...a);
    },
    sourceError: (c, source, member) => {
      calls.push(`sourceError ${source} ${member ?? '-'}`);
      real?.sourceError(c, source, member);
    },
    internalError: (c) => {
      calls.push(`internalError ${c}`);
      real?.internalError(c);
    },
    overload: (c, o) => real?.overload(c, o),
  };
  const engine = new ClusterEngine(cfg, cluster, {
    now: () => t,
    telemetry,
    log: new RateLimitedLog(60_000, (l) => lines.push(l)),
    memberSource: (e) => ({
      endpoint: e.url,
      async poll() {
        const p = healthyPoll(e.url, t);
        if (!crash) return p;
        // A bug in the analysis reading a poll: what matters is where the crash is recorded.
        return Object.defineProperty(p, 'counters', {
          get() {
            throw new Error('boom');
          },
        });
      },
      close() {},
    }),
    balancerSource: null,
    // Polls here are instant: this process's own stalls (a busy test machine) are not what is tested.
    lag: NO_LAG,
    ...opts,
  });
  engine.hub.subscribe((m) => messages.push(m.type));
  return {
    engine,
    calls,
    lines,
    messages,
    async tick(opt: { crash?: boolean } = {}) {
      crash = opt.crash ?? false;
      await engine.tick();
      t += 1000;
    },
  };
}

describe('a crash inside a poll', () => {
  it('is Fulcrum’s internal error (sources.engine, metric, one log line), never etcd being down', async () => {
    const h = harness();
    await h.tick();
    expect(h.engine.state().sources.engine.ok).toBe(true);
    expect(h.engine.state().sources.etcd?.ok).toBe(true);

    await h.tick({ crash: true }); // tick() resolves: the loop goes on
    await h.tick({ crash: true });
    const s = h.engine.state();
    expect(s.sources.engine).toMatchObject({ ok: false, error: 'internal error: boom' });
    expect(s.sources.etcd?.ok).toBe(true);
    expect(s.members.map((m) => m.status)).toEqual(['up', 'up']);
    expect(s.seq).toBe(1);
    expect(h.calls.filter((c) => c.startsWith('internalError'))).toEqual(['internalError c', 'internalError c']);
    expect(h.calls.filter((c) => c.startsWith('sourceError'))).toEqual([]);
    expect(h.lines).toHaveLength(1); // rate-limited: one line a minute per cluster and cause
    expect(h.lines[0]).toContain('cluster c: poll failed inside Fulcrum: internal error: boom');
    // Viewers get the full state once, when Fulcrum starts failing.
    expect(h.messages).toEqual(['delta', 'resync']);

    await h.tick();
    expect(h.engine.state().sources.engine.ok).toBe(true);
    expect(h.engine.state().seq).toBe(2);
  });

  it('counts in /api/metrics as fulcrum_internal_errors_total, not as a source error', async () => {
    const telemetry = new Telemetry({ defaultMetrics: false });
    const h = harness({}, {}, telemetry);
    await h.tick({ crash: true });
    const text = await telemetry.registry.metrics();
    expect(text).toContain('fulcrum_internal_errors_total{cluster="c"} 1');
    expect(text).not.toMatch(/fulcrum_source_errors_total\{/);
  });
});

describe('log sources', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-engine-logs-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('an unreadable log file fails sources.logs, counts as a logs source error, and is logged once', async () => {
    const present = path.join(dir, 'etcd-2.log');
    fs.writeFileSync(present, '');
    const missing = path.join(dir, 'etcd-1.log');
    const h = harness({ logs: { members: { 'etcd-1': missing, 'etcd-2': present }, timezone: 'UTC' } });
    await h.tick();
    await h.tick();
    const s = h.engine.state();
    expect(s.sources.logs?.ok).toBe(false);
    // The state goes to every viewer: the file is named only in the server log (and to admins).
    expect(s.sources.logs?.error).toContain('log file [file] does not exist');
    expect(s.sources.logs?.error).not.toContain(dir);
    expect(s.sources.etcd?.ok).toBe(true);
    expect(h.calls.filter((c) => c.startsWith('sourceError'))).toEqual([
      'sourceError logs http://127.0.0.1:23790',
      'sourceError logs http://127.0.0.1:23790',
    ]);
    expect(h.lines).toHaveLength(1);
    expect(h.lines[0]).toContain(`cluster c: logs: member log: log file ${missing} does not exist`);

    fs.writeFileSync(missing, '');
    await h.tick();
    expect(h.engine.state().sources.logs).toMatchObject({ ok: true, error: null });
    await h.engine.stop();
  });

  it('is null when no log source is configured', async () => {
    const h = harness();
    await h.tick();
    expect(h.engine.state().sources.logs).toBeNull();
  });
});

describe('the balancer', () => {
  const snap = (t: number): HaproxySnapshot => ({
    t,
    backend: 'whatever',
    servers: [],
    check: null,
    configError: null,
  });

  it('takes its kind and backend from the configured balancer, before and after a poll', async () => {
    const h = harness(
      { balancer: { type: 'nginx', config: '/etc/nginx/nginx.conf', upstream: 'etcd_grpc' } },
      { balancerSource: { poll: async () => snap(T0) } },
    );
    expect(h.engine.state().balancer).toMatchObject({ type: 'nginx', backend: 'etcd_grpc' });
    await h.tick();
    expect(h.engine.state().balancer).toMatchObject({ type: 'nginx', backend: 'etcd_grpc', ok: true });

    const hp = harness(
      { balancer: { type: 'haproxy', runtimeApi: '/run/haproxy.sock', backend: 'etcd_be' } },
      { balancerSource: { poll: async () => snap(T0) } },
    );
    await hp.tick();
    expect(hp.engine.state().balancer).toMatchObject({ type: 'haproxy', backend: 'etcd_be' });
  });

  it('a failed balancer poll counts as a balancer source error', async () => {
    const h = harness(
      { balancer: { type: 'haproxy', runtimeApi: '/run/haproxy.sock', backend: 'etcd' } },
      {
        balancerSource: {
          poll: async () => {
            throw new Error('HAProxy runtime API /run/haproxy.sock: ENOENT');
          },
        },
      },
    );
    await h.tick();
    const s = h.engine.state();
    expect(s.sources.balancer).toMatchObject({ ok: false, error: 'HAProxy runtime API /run/haproxy.sock: ENOENT' });
    expect(s.balancer).toMatchObject({ type: 'haproxy', backend: 'etcd', ok: false });
    expect(h.calls).toContain('sourceError balancer -');
  });
});
