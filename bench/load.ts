// npm run bench:load [-- --minutes 10 --clients 1000 --api-rps 20 --keep]
//
// Load on a production Fulcrum (`next start`) watching the real local stack (etcd ×3 behind
// HAProxy, Prometheus, background load on etcd): --clients SSE clients (four in five on the
// cluster stream, one in five on the fleet stream, spread over 127.0.1.x source addresses as many
// browsers would be: at most 20 per address, the per-client cap) held open for --minutes, plus
// --api-rps API and page requests a second (state, fleet, history, a member, metrics, health,
// the cluster and fleet pages) and a snapshot every 15 s. Errors: any stream that fails or ends
// early, any answer >= 400 or connection error. Fulcrum's RSS (its process group) is sampled
// every 10 s: after a 2-minute warm-up it should stay flat. Prints a Markdown table and writes
// it to bench/results/load-<date>.md. Exit code 1 when there were errors.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { startFulcrum } from '../dev/lib/fulcrum';
import { onShutdown } from '../dev/lib/procs';
import { startStack } from '../dev/stack';
import { median } from '../lib/stats';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    clients: { type: 'string', default: '1000' },
    'api-rps': { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
  },
});
function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`bench:load: --${name}: a positive number, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}
const MINUTES = positive('minutes', values.minutes!);
const CLIENTS = Math.round(positive('clients', values.clients!));
const API_RPS = positive('api-rps', values['api-rps']!);
const PER_ADDRESS = 20;
const WARMUP_MS = Math.min(120_000, (MINUTES * 60_000) / 5);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-bench-load-'));
const sockets = new Set<http.ClientRequest>();
let stopping = false;

interface StreamStats {
  kind: 'cluster' | 'fleet';
  events: number;
  bytes: number;
  failures: number;
}
const streams: StreamStats[] = [];
const errors: string[] = [];
const api = new Map<string, number[]>();
const lagMs: number[] = [];

const errorKinds = new Map<string, number>();

/** Keeps the first 50 errors whole and counts every one by kind (its text without the client address). */
function noteError(e: string): void {
  if (errors.length < 50) errors.push(`${new Date().toISOString()} ${e}`);
  else errors.push('');
  const kind = e.replace(/ from [0-9.]+/, '').replace(/\?.*?:/, ':');
  errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
}

/** One SSE client, reconnecting after 2 s like EventSource when its stream fails or ends early. */
function openStream(base: string, s: StreamStats, from: string, probe: boolean): void {
  if (stopping) return;
  const u = new URL(base);
  const p = s.kind === 'cluster' ? '/api/clusters/local/stream' : '/api/fleet/stream';
  let tail = '';
  const again = (why: string) => {
    if (stopping) return;
    s.failures++;
    noteError(`${s.kind} stream from ${from}: ${why}`);
    setTimeout(() => openStream(base, s, from, probe), 2000);
  };
  const r = http.get({ host: u.hostname, port: u.port, path: p, localAddress: from, agent: false }, (res) => {
    if (res.statusCode !== 200) {
      res.resume();
      again(`status ${res.statusCode}`);
      return;
    }
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      s.bytes += Buffer.byteLength(chunk);
      const text = tail + chunk;
      let i = text.indexOf('\n\n');
      let start = 0;
      while (i !== -1) {
        s.events++;
        if (probe) {
          const ev = text.slice(start, i);
          const m = /^data: (\{.*"updatedAt":(\d+).*)$/m.exec(ev);
          if (m && /^event: (delta|state)$/m.test(ev)) lagMs.push(Date.now() - Number(m[2]));
        }
        start = i + 2;
        i = text.indexOf('\n\n', start);
      }
      // Only the probe reads events; the others keep one character (a "\n\n" split over chunks).
      tail = probe ? text.slice(start) : text.slice(Math.max(start, text.length - 1));
    });
    res.on('end', () => again('ended'));
    res.on('error', (e) => again(e.message));
  });
  sockets.add(r);
  r.on('error', (e) => again(e.message));
  r.on('close', () => sockets.delete(r));
}

function apiRequest(base: string, method: string, p: string, body?: string): Promise<void> {
  const u = new URL(base);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const r = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: p,
        method,
        agent: false,
        localAddress: '127.0.2.1',
        headers: body ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const key = `${method} ${p.replace(/\?.*/, '')}`;
          if (!api.has(key)) api.set(key, []);
          api.get(key)!.push(performance.now() - t0);
          if ((res.statusCode ?? 0) >= 400) noteError(`${method} ${p}: ${res.statusCode}`);
          resolve();
        });
      },
    );
    r.on('error', (e) => {
      noteError(`${method} ${p}: ${e.message}`);
      resolve();
    });
    r.end(body);
  });
}

function pct(xs: number[], q: number): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
const ms = (x: number) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(1) : Math.round(x)} ms` : '—');
const mb = (b: number) => (Number.isFinite(b) ? `${Math.round(b / 1e6)} MB` : '—');
const med = (xs: number[]) => median(xs) ?? Number.NaN;

async function main(): Promise<void> {
  console.log(`bench:load: ${CLIENTS} SSE clients + ${API_RPS} req/s for ${MINUTES} min; temp dir ${dir}`);
  const stack = await startStack({ dir: path.join(dir, 'stack'), log: (l) => console.log(`  ${l}`) });
  const stopAll: Array<() => Promise<void>> = [() => stack.stop()];
  onShutdown(async () => {
    stopping = true;
    for (const s of stopAll.reverse()) await s().catch(() => undefined);
    if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
  });
  const config = YAML.parse(fs.readFileSync(stack.configFile, 'utf8')) as Record<string, unknown>;
  config.maxSubscribers = CLIENTS;
  config.snapshots = { dataDir: path.join(dir, 'data') };
  const configFile = path.join(dir, 'fulcrum.yaml');
  fs.writeFileSync(configFile, YAML.stringify(config));
  const f = await startFulcrum(configFile, dir);
  stopAll.push(() => f.stop());
  console.log(`  fulcrum: ${f.url} (pid ${f.pid})`);

  const t0 = Date.now();
  const rss: Array<{ t: number; bytes: number }> = [{ t: 0, bytes: f.rssBytes() }];
  const loadAvg: number[] = [];
  // Clients arrive over 20 s, as browsers would after a deploy.
  for (let i = 0; i < CLIENTS; i++) {
    const s: StreamStats = { kind: i % 5 === 4 ? 'fleet' : 'cluster', events: 0, bytes: 0, failures: 0 };
    streams.push(s);
    const addr = `127.0.1.${1 + Math.floor(i / PER_ADDRESS)}`;
    setTimeout(() => openStream(f.url, s, addr, i === 0), (i * 20_000) / CLIENTS);
  }
  const now = Date.now();
  const calls: Array<[string, string, string?]> = [
    ['GET', '/api/clusters/local'],
    ['GET', '/api/fleet'],
    ['GET', '/api/clusters'],
    ['GET', `/api/clusters/local/history?from=${now - 60_000}&maxPoints=300`],
    ['GET', `/api/clusters/local/members/etcd-1/logs?from=${now - 300_000}&to=${now}&limit=50`],
    ['GET', '/api/metrics'],
    ['GET', '/api/health'],
    ['GET', '/clusters/local'],
    ['GET', '/'],
  ];
  let n = 0;
  const apiTimer = setInterval(() => {
    const [m, p] = calls[n++ % calls.length];
    void apiRequest(f.url, m, p);
  }, 1000 / API_RPS);
  const snapTimer = setInterval(
    () => void apiRequest(f.url, 'POST', '/api/snapshots', JSON.stringify({ cluster: 'local', rangeMs: 300_000 })),
    15_000,
  );
  const endAt = t0 + MINUTES * 60_000;
  while (Date.now() < endAt) {
    await new Promise((r) => setTimeout(r, 10_000));
    const b = f.rssBytes();
    rss.push({ t: Date.now() - t0, bytes: b });
    loadAvg.push(os.loadavg()[0]);
    const open = streams.filter((s) => s.events > 0).length;
    console.log(
      `  ${Math.round((Date.now() - t0) / 1000)} s: RSS ${mb(b)}, ${open}/${CLIENTS} streams receiving, ${errors.length} errors`,
    );
  }
  clearInterval(apiTimer);
  clearInterval(snapTimer);
  stopping = true;
  for (const r of sockets) r.destroy();
  await new Promise((r) => setTimeout(r, 1000));
  const elapsedS = (Date.now() - t0) / 1000;

  const after = rss.filter((x) => x.t >= WARMUP_MS);
  const warm = after[0]?.bytes ?? Number.NaN;
  const end = rss[rss.length - 1].bytes;
  const peak = Math.max(...after.map((x) => x.bytes));
  const firstHalf = med(after.slice(0, Math.ceil(after.length / 2)).map((x) => x.bytes));
  const secondHalf = med(after.slice(Math.ceil(after.length / 2)).map((x) => x.bytes));
  const cluster = streams.filter((s) => s.kind === 'cluster');
  const fleet = streams.filter((s) => s.kind === 'fleet');
  const perClient = (xs: StreamStats[]) => med(xs.map((s) => s.events));
  const allApi = [...api.values()].flat();
  const date = new Date().toISOString().slice(0, 10);
  const lines = [
    `**Load** (\`npm run bench:load\`, ${date}): ${CLIENTS} SSE clients (${cluster.length} on the cluster stream,`,
    `${fleet.length} on the fleet stream) and ${API_RPS} API/page requests a second for ${MINUTES} min against the local`,
    `stack (etcd ×3 behind HAProxy, Prometheus, load on etcd), production \`next start\`, poll every 1 s, on ${os.cpus().length}`,
    `cores shared with other work (1-minute load average ${Math.min(...loadAvg).toFixed(0)}–${Math.max(...loadAvg).toFixed(0)} during the run).`,
    '',
    '| measure                                   | value |',
    '| ----------------------------------------- | ----- |',
    `| errors (streams failed or ended, answers ≥ 400, connection errors) | ${errors.length} |`,
    `| errors by kind                             | ${[...errorKinds].map(([k, n]) => `${k} ×${n}`).join('; ') || '—'} |`,
    `| stream reconnects                          | ${streams.reduce((a, s) => a + s.failures, 0)} |`,
    `| events per cluster-stream client (median)   | ${perClient(cluster)} in ${Math.round(elapsedS)} s |`,
    `| events per fleet-stream client (median)     | ${perClient(fleet)} |`,
    `| stream bytes sent, all clients             | ${mb(streams.reduce((a, s) => a + s.bytes, 0))} |`,
    `| poll-to-client lag, one cluster client (p50 / p99) | ${ms(pct(lagMs, 0.5))} / ${ms(pct(lagMs, 0.99))} |`,
    `| API/page requests                          | ${allApi.length}, p50 ${ms(pct(allApi, 0.5))}, p95 ${ms(pct(allApi, 0.95))}, p99 ${ms(pct(allApi, 0.99))} |`,
    `| Fulcrum RSS at start / after ${Math.round(WARMUP_MS / 1000)} s warm-up / end | ${mb(rss[0].bytes)} / ${mb(warm)} / ${mb(end)} |`,
    `| RSS after warm-up: median 1st half / 2nd half, peak | ${mb(firstHalf)} / ${mb(secondHalf)}, ${mb(peak)} |`,
    '',
    '| request | n | p50 | p95 | p99 |',
    '| ------- | - | --- | --- | --- |',
    ...[...api].map(
      ([k, xs]) => `| \`${k}\` | ${xs.length} | ${ms(pct(xs, 0.5))} | ${ms(pct(xs, 0.95))} | ${ms(pct(xs, 0.99))} |`,
    ),
    '',
    `RSS every 10 s (MB): ${rss.map((x) => Math.round(x.bytes / 1e6)).join(' ')}`,
    '',
  ];
  const report = lines.join('\n');
  console.log(`\n${report}`);
  if (errors.length) console.log(`first errors:\n${errors.slice(0, 20).join('\n')}`);
  const out = path.join('bench', 'results', `load-${date}.md`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, report);
  console.log(`written to ${out}`);
  for (const s of stopAll.reverse()) await s().catch(() => undefined);
  if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
  process.exit(errors.length ? 1 : 0);
}

main().catch((e) => {
  console.error(`bench:load: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
