// npm run bench:fleet [-- --clusters 500 --members 5 --ticks 12 --tick 5 --scrape 10 --no-browser --raw]
//
// The fleet read from Prometheus: a real Prometheus scraping the synthetic exporter (dev/lib/
// synthetic-exporter.ts: N clusters × M members, each member a scrape target, some clusters
// skewed, some members down), discovered and read by Fulcrum's PrometheusFleet every 5 s.
//   1. In this process (nothing else runs in it): per fleet tick, the wall time and CPU
//      (process.cpuUsage) of the Prometheus tick (its queries, every discovered cluster's
//      advance) plus the fleet tick (summaries, diff, the encoded delta), the queries it sent and
//      the bytes of the fleet delta. The exporter and Prometheus run in their own processes.
//   2. In Chromium (Debian's): a production server (`next start`, the build in FULCRUM_DIST_DIR
//      or .next) with the same config, the fleet page `/` open; the page marks each delta it
//      applies (`fulcrum:fleet-delta`) and the time to the next animation frame is recorded.
// By default Prometheus loads Fulcrum's recording rules for the fleet (what GET /api/rules serves
// with discovery); --raw runs it without them (every tick reads the raw series).
// Targets: tick under 1 s, under half a core on average, at most 15 queries per tick, frame
// under 50 ms.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { chromium } from '@playwright/test';
import { REPO_ROOT } from '../dev/lib/load';
import { freePort, procStatFields, waitFor } from '../dev/lib/procs';
import { startPrometheus } from '../dev/lib/prometheus';
import { startSyntheticExporter, syntheticFleet } from '../dev/lib/synthetic-exporter';
import { FLEET_DELTA_MARK } from '../lib/client/fleet/stream';
import { parseConfig } from '../lib/config/load';
import { createRuntime } from '../lib/engine/runtime';
import { PrometheusSource } from '../lib/sources/prometheus';
import { recordedName, recordingRules } from '../lib/sources/prometheus-recorded';
import { median } from '../lib/stats';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '500' },
    members: { type: 'string', default: '5' },
    ticks: { type: 'string', default: '12' },
    tick: { type: 'string', default: '5' },
    scrape: { type: 'string', default: '10' },
    'no-browser': { type: 'boolean', default: false },
    // Prometheus without Fulcrum's recording rules: every tick reads the raw series.
    raw: { type: 'boolean', default: false },
    frames: { type: 'string', default: '12' },
  },
});
const CLUSTERS = Number(values.clusters);
const MEMBERS = Number(values.members);
const TICKS = Number(values.ticks);
const TICK_S = Number(values.tick);
const SCRAPE_S = Number(values.scrape);
const RATE_WINDOW = `${Math.max(60, 4 * SCRAPE_S)}s`;
const PROM_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const fmt = (x: number, d = 0) => x.toFixed(d);

function config(promUrl: string): string {
  return [
    `pollIntervalMs: ${TICK_S * 1000}`,
    'prometheus:',
    `  url: ${promUrl}`,
    `  rateWindow: ${RATE_WINDOW}`,
    // Prometheus shares this machine's cores: give its answers time, and report how long they took.
    `  timeoutMs: ${PROM_TIMEOUT_MS}`,
    '  backfill: false',
    'discovery:',
    '  prometheus:',
    `    selector: 'job="synthetic"'`,
    '    refresh: 30s',
    `    interval: ${TICK_S}s`,
    '',
  ].join('\n');
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-bench-fleet-'));
  const spec = { clusters: CLUSTERS, members: MEMBERS };
  const fleet = syntheticFleet(spec);
  const targets = fleet.reduce((n, c) => n + c.members.length, 0);
  const live = fleet.reduce((n, c) => n + c.members.filter((m) => !m.down).length, 0);
  console.log(
    `synthetic fleet: ${CLUSTERS} clusters × ${MEMBERS} members (${targets} targets, ${targets - live} down, ${
      fleet.filter((c) => c.skewed).length
    } skewed); Prometheus scrapes every ${SCRAPE_S} s, rate() over ${RATE_WINDOW}`,
  );
  const exporter = await startSyntheticExporter({ dir: path.join(dir, 'synthetic'), spec });
  const rules = path.join(dir, 'fleet-rules.yml');
  writeFileSync(rules, stringify({ groups: [recordingRules(RATE_WINDOW)] }));
  const prom = await startPrometheus({
    dir: path.join(dir, 'prometheus'),
    targets: [],
    scrapeIntervalS: SCRAPE_S,
    fileSd: [{ job: 'synthetic', file: exporter.fileSd }],
    ruleFiles: values.raw ? [] : [rules],
  });
  let server: { stop(): Promise<void> } | null = null;
  try {
    // Every target scraped, and two scrapes of each in the rate window.
    const q = new PrometheusSource(prom.url, 10_000);
    const count = async (expr: string) => (await q.query(expr))[0]?.values[0]?.[1] ?? 0;
    await waitFor(async () => (await count('count(up{job="synthetic"})')) === targets, {
      what: `Prometheus to scrape all ${targets} targets`,
      timeoutMs: 180_000,
      intervalMs: 2000,
    });
    await waitFor(
      async () =>
        (await count(
          `count(sum by (cluster, instance) (rate(grpc_server_started_total{job="synthetic"}[${RATE_WINDOW}])))`,
        )) === live,
      { what: 'a rate for every live member', timeoutMs: 180_000, intervalMs: 2000 },
    );
    if (!values.raw)
      await waitFor(
        async () =>
          (await count(`count(${recordedName('latencyP99', RATE_WINDOW)}{job="synthetic",le="+Inf"} >= 0)`)) === live,
        { what: 'the recorded series of every live member', timeoutMs: 180_000, intervalMs: 2000 },
      );

    // 1. The server side, in this process.
    const cfg = parseConfig(config(prom.url), path.join(dir, 'fulcrum.yaml'), {});
    const rt = createRuntime(cfg, { defaultMetrics: false });
    const pf = rt.discovery!;
    const rows: Array<{
      wallMs: number;
      promMs: number;
      cpuMs: number;
      queries: number;
      deltaBytes: number;
      upserts: number;
      fresh: number;
    }> = [];
    const failures: string[] = [];
    let firstTries = 0;
    let promCpu0: { cpuS: number; at: number } | null = null;
    for (let k = -1; k < TICKS; k++) {
      if (k === 0) promCpu0 = { cpuS: processCpuS(prom.pid), at: performance.now() };
      const started = performance.now();
      const cpu0 = process.cpuUsage();
      const t = await pf.tick();
      const step = rt.fleet.tick();
      const cpu = process.cpuUsage(cpu0);
      const wallMs = performance.now() - started;
      if (t.error) {
        // A busy machine can starve Prometheus: a failed tick is counted and reported, not averaged.
        console.log(`tick ${k < 0 ? 'first' : k + 1} failed after ${fmt(wallMs)} ms: ${t.error}`);
        if (k < 0) {
          if (++firstTries >= 5) throw new Error(`the first fleet tick failed ${firstTries} times: ${t.error}`);
          k--; // discovery again
        } else failures.push(t.error);
        await sleep(Math.max(0, TICK_S * 1000 - wallMs));
        continue;
      }
      // The first tick discovers and builds every cluster: reported apart, not in the averages.
      if (k >= 0) {
        console.log(
          `tick ${k + 1}: ${fmt(wallMs)} ms (Prometheus ${fmt(t.prometheusMs)} ms, ${t.queries} queries${
            t.discovered ? ', discovery' : ''
          }), ${step.upserts} clusters changed`,
        );
        rows.push({
          wallMs,
          promMs: t.prometheusMs,
          cpuMs: (cpu.user + cpu.system) / 1000,
          queries: t.queries,
          deltaBytes: Buffer.byteLength(step.deltaJson),
          upserts: step.upserts,
          fresh: step.fresh,
        });
      } else
        console.log(
          `first tick (discovery of ${t.clusters} clusters): ${fmt(wallMs)} ms, ${t.queries} queries, full state ${fmt(
            Buffer.byteLength(rt.fleet.stateJson()) / 1024,
          )} KiB`,
        );
      await sleep(Math.max(0, TICK_S * 1000 - wallMs));
    }
    if (rows.length === 0) throw new Error(`every fleet tick failed: ${failures[0]}`);
    const promCores = promCpu0
      ? (processCpuS(prom.pid) - promCpu0.cpuS) / ((performance.now() - promCpu0.at) / 1000)
      : Number.NaN;
    const clustersNow = rt.fleet.state().clusters.length;
    const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
    await rt.stop();
    const wall = rows.map((r) => r.wallMs);
    const own = rows.map((r) => r.wallMs - r.promMs);
    const promWait = rows.map((r) => r.promMs);
    const cpus = rows.map((r) => r.cpuMs);
    const cores = cpus.reduce((a, b) => a + b, 0) / (rows.length * TICK_S * 1000);
    const bytes = rows.map((r) => r.deltaBytes);
    const queries = Math.max(...rows.map((r) => r.queries));
    const recorded = pf.lastTick?.recorded ?? [];

    // 2. The fleet page in Chromium.
    let frames: number[] = [];
    if (!values['no-browser']) {
      const dist = process.env.FULCRUM_DIST_DIR || '.next';
      if (!existsSync(path.join(REPO_ROOT, dist, 'BUILD_ID')))
        throw new Error(`no production build in ${dist}: run \`npm run build\` first (or pass --no-browser)`);
      const file = path.join(dir, 'fulcrum-browser.yaml');
      writeFileSync(file, config(prom.url));
      const s = await startNext(file, dir, dist);
      server = s;
      frames = await measureFrames(s.url, Number(values.frames));
    }

    console.log(
      `\nload average at the end: ${os
        .loadavg()
        .map((x) => fmt(x, 1))
        .join(' ')} (${os.cpus().length} cores)`,
    );
    console.log('| measure | value | target |');
    console.log('| --- | --- | --- |');
    console.log(
      `| clusters × members | ${clustersNow} × ${MEMBERS} (${targets} targets, ${targets - live} down) | 500 × 5 |`,
    );
    console.log(
      `| fleet tick wall time (median / p95 / max) | ${fmt(median(wall) ?? 0)} / ${fmt(p95(wall))} / ${fmt(Math.max(...wall))} ms | |`,
    );
    console.log(
      `| of which waiting for Prometheus (median / max) | ${fmt(median(promWait) ?? 0)} / ${fmt(Math.max(...promWait))} ms | |`,
    );
    console.log(
      `| Fulcrum's own part of a tick (median / max) | ${fmt(median(own) ?? 0)} / ${fmt(Math.max(...own))} ms | < 1000 ms |`,
    );
    console.log(
      `| fleet tick CPU (median / max) | ${fmt(median(cpus) ?? 0)} / ${fmt(Math.max(...cpus))} ms per ${TICK_S} s tick | |`,
    );
    console.log(`| CPU on average | ${fmt(cores, 3)} core | < 0.5 core |`);
    console.log(`| Prometheus' CPU meanwhile (scrapes, rules, queries) | ${fmt(promCores, 2)} core | |`);
    console.log(`| Prometheus queries per tick (max) | ${queries} | ≤ 15 |`);
    console.log(`| read from recorded series | ${recorded.length ? recorded.join(', ') : 'none (raw series)'} | |`);
    console.log(`| ticks failed (Prometheus too slow) | ${failures.length} of ${TICKS} | 0 |`);
    console.log(
      `| fleet delta (median / max) | ${fmt((median(bytes) ?? 0) / 1024, 1)} / ${fmt(Math.max(...bytes) / 1024, 1)} KiB, ${fmt(
        median(rows.map((r) => r.upserts)) ?? 0,
      )} clusters changed per tick, ${fmt(median(rows.map((r) => r.fresh)) ?? 0)} only polled again | |`,
    );
    console.log(`| heap after ${TICKS} ticks | ${fmt(heapMiB)} MiB | |`);
    if (frames.length)
      console.log(
        `| delta → next frame in Chromium (median / p95 / max, ${frames.length} deltas) | ${fmt(median(frames) ?? 0, 1)} / ${fmt(p95(frames), 1)} / ${fmt(Math.max(...frames), 1)} ms | < 50 ms |`,
      );
  } finally {
    await server?.stop();
    await prom.stop();
    await exporter.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU seconds a process has used so far (user + system, from /proc; Linux). */
function processCpuS(pid: number): number {
  const f = procStatFields(pid);
  if (!f) throw new Error(`process ${pid} is gone`);
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime (proc(5) fields 14, 15) in USER_HZ = 100 ticks
}

/** `next start` on a free port with this config; resolves when /api/health answers. */
async function startNext(configFile: string, dir: string, dist: string) {
  const port = await freePort();
  const logFile = path.join(dir, 'next.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    path.join(REPO_ROOT, 'node_modules/.bin/next'),
    ['start', '-p', String(port), '-H', '127.0.0.1'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, FULCRUM_CONFIG: configFile, FULCRUM_DIST_DIR: dist, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', out, out],
      detached: true,
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const gone = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const t = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5000);
    await gone;
    clearTimeout(t);
  };
  try {
    await waitFor(async () => (await fetch(`${url}/api/health`)).ok, {
      what: `next start on ${url} (log ${logFile})`,
      timeoutMs: 60_000,
      abortIf: () => (child.exitCode !== null ? `it exited with ${child.exitCode}` : null),
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, stop };
}

/** Opens `/` and records, for each applied delta, the time from its mark to the next animation frame. */
async function measureFrames(url: string, n: number): Promise<number[]> {
  const browser = await chromium.launch({
    executablePath: process.env.FULCRUM_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript((mark: string) => {
      const w = window as unknown as { __fleetFrames: number[] };
      w.__fleetFrames = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (e.name !== mark) continue;
          const t0 = e.startTime;
          requestAnimationFrame(() => w.__fleetFrames.push(performance.now() - t0));
        }
      }).observe({ type: 'mark', buffered: false });
    }, FLEET_DELTA_MARK);
    await page.goto(`${url}/`);
    await page.waitForFunction(
      (k) => (window as unknown as { __fleetFrames: number[] }).__fleetFrames.length >= k,
      n + 1,
      { timeout: (n + 4) * TICK_S * 1000 + 60_000, polling: 1000 },
    );
    const all = await page.evaluate(() => (window as unknown as { __fleetFrames: number[] }).__fleetFrames);
    return all.slice(1, n + 1); // the first delta lands while the page is still settling
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(`bench:fleet failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
