// npm run bench:stream [-- --viewers 1,100,500,1000 --seconds 15 --interval 1000 --members 5]
//
// The cluster stream under many viewers: a production Fulcrum (`next start` on the current
// build; FULCRUM_DIST_DIR picks another build directory) polling a real etcd cluster under light
// load, and N viewers that open /api/clusters/NAME/stream all at once from this process (one
// HTTP connection each, as N browsers would). Per N:
//   - connect: from opening the N streams to the last one's first `state` event;
//   - poll gap while connecting: the largest gap between consecutive polls (the deltas' updatedAt,
//     seen by a viewer connected before the others) while the N were connecting;
//   - delay p50/p99: from a poll's time (the delta's updatedAt, the poll's start) to its receipt,
//     over every delta every viewer got in `--seconds` of steady state;
//   - drops: deltas a viewer never got (gaps in seq) plus full states sent again (a resync);
//   - server memory per viewer: the server's RSS (its process group) with the N connected, minus
//     before they came, over N (medians of 1 s samples);
//   - state and delta sizes: bytes of the first `state` event and of each `delta` event.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEtcdCluster } from '../dev/lib/etcd';
import { groupRssBytes, startFulcrum } from '../dev/lib/fulcrum';
import { startLoad } from '../dev/lib/load';
import { quantile } from '../lib/stats';

const { values } = parseArgs({
  options: {
    viewers: { type: 'string', default: '1,100,500,1000' },
    seconds: { type: 'string', default: '15' },
    interval: { type: 'string', default: '1000' },
    members: { type: 'string', default: '5' },
    load: { type: 'string', default: '100' },
  },
});
const SECONDS = Number(values.seconds);
const INTERVAL = Number(values.interval);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One viewer: an SSE connection, parsed just enough to time and size its events. */
class Viewer {
  stateAt = 0;
  stateBytes = 0;
  states = 0;
  lastSeq = -1;
  missed = 0;
  readonly delays: number[] = [];
  readonly deltaBytes: number[] = [];
  readonly polls: number[] = [];
  private buf = '';
  private req: http.ClientRequest | null = null;
  failed: string | null = null;

  constructor(private readonly url: string) {}

  open(): void {
    this.req = http.get(this.url, { agent: false }, (res) => {
      if (res.statusCode !== 200) {
        this.failed = `HTTP ${res.statusCode}`;
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => this.feed(chunk));
      res.on('error', () => {});
    });
    this.req.on('error', (e) => {
      this.failed ??= e.message;
    });
  }

  private feed(chunk: string): void {
    const now = Date.now();
    this.buf += chunk;
    for (let end = this.buf.indexOf('\n\n'); end >= 0; end = this.buf.indexOf('\n\n')) {
      const ev = this.buf.slice(0, end + 2);
      this.buf = this.buf.slice(end + 2);
      if (ev.startsWith('event: state')) {
        this.states++;
        if (this.states === 1) {
          this.stateAt = now;
          this.stateBytes = Buffer.byteLength(ev);
        }
        this.lastSeq = Number(/\nid: (\d+)/.exec(ev)?.[1] ?? -1);
      } else if (ev.startsWith('event: delta')) {
        const seq = Number(/\nid: (\d+)/.exec(ev)?.[1]);
        const at = Number(/"updatedAt":(\d+)/.exec(ev)?.[1]);
        if (this.lastSeq >= 0 && seq > this.lastSeq + 1) this.missed += seq - this.lastSeq - 1;
        this.lastSeq = seq;
        this.delays.push(now - at);
        this.deltaBytes.push(Buffer.byteLength(ev));
        this.polls.push(at);
      }
    }
  }

  close(): void {
    this.req?.destroy();
  }
}

const q = (xs: number[], p: number) => quantile(xs, p) ?? Number.NaN;
const median = (xs: number[]) => q(xs, 0.5);

async function sampleRss(pid: number, ms: number): Promise<number> {
  const xs: number[] = [];
  for (const end = Date.now() + ms; Date.now() < end; ) {
    xs.push(groupRssBytes(pid));
    await sleep(1000);
  }
  return median(xs);
}

interface Row {
  viewers: number;
  connectMs: number;
  pollGapMs: number;
  p50: number;
  p99: number;
  drops: number;
  failed: number;
  kbPerViewer: number;
  stateKB: number;
  deltaMedianB: number;
  deltaMaxB: number;
}

async function run(url: string, pid: number, n: number): Promise<Row> {
  const streamUrl = `${url}/api/clusters/bench/stream`;
  const watcher = new Viewer(streamUrl);
  watcher.open();
  while (!watcher.stateAt) await sleep(50);
  await sleep(2 * INTERVAL);
  const before = await sampleRss(pid, 5000);

  const viewers = Array.from({ length: n }, () => new Viewer(streamUrl));
  const t0 = Date.now();
  for (const v of viewers) v.open();
  const deadline = t0 + 120_000;
  while (viewers.some((v) => !v.stateAt && !v.failed) && Date.now() < deadline) await sleep(20);
  const connected = viewers.filter((v) => v.stateAt);
  const connectMs = Math.max(...connected.map((v) => v.stateAt)) - t0;
  const during = watcher.polls.filter((t) => t >= t0 - INTERVAL && t <= t0 + connectMs + INTERVAL);
  let pollGapMs = 0;
  for (let i = 1; i < during.length; i++) pollGapMs = Math.max(pollGapMs, during[i] - during[i - 1]);

  // Steady state: count from here.
  await sleep(INTERVAL);
  const marks = viewers.map((v) => ({ d: v.delays.length, b: v.deltaBytes.length, m: v.missed, s: v.states }));
  const rss = sampleRss(pid, SECONDS * 1000);
  await rss;
  const delays: number[] = [];
  const sizes: number[] = [];
  let drops = 0;
  viewers.forEach((v, i) => {
    delays.push(...v.delays.slice(marks[i].d));
    sizes.push(...v.deltaBytes.slice(marks[i].b));
    drops += v.missed - marks[i].m + (v.states - marks[i].s);
  });
  const after = await rss;
  for (const v of viewers) v.close();
  watcher.close();
  await sleep(3000);
  return {
    viewers: n,
    connectMs,
    pollGapMs,
    p50: median(delays),
    p99: q(delays, 0.99),
    drops,
    failed: viewers.filter((v) => !v.stateAt).length,
    kbPerViewer: (after - before) / 1024 / n,
    stateKB: median(connected.map((v) => v.stateBytes)) / 1024,
    deltaMedianB: median(sizes),
    deltaMaxB: Math.max(...sizes),
  };
}

const line = (r: Row) =>
  `| ${r.viewers} | ${(r.connectMs / 1000).toFixed(2)} s | ${r.pollGapMs} ms | ${r.p50} ms | ${r.p99} ms | ${r.drops}${r.failed ? ` (${r.failed} not connected)` : ''} | ${r.kbPerViewer.toFixed(1)} KB | ${r.stateKB.toFixed(1)} KB | ${r.deltaMedianB} B (max ${r.deltaMaxB} B) |`;

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-bench-stream-'));
  const etcd = await startEtcdCluster({ size: Number(values.members), dir });
  const load =
    Number(values.load) > 0
      ? startLoad({ target: etcd.endpoints[0], rate: Number(values.load), logFile: path.join(dir, 'load.log') })
      : null;
  let server: Awaited<ReturnType<typeof startFulcrum>> | null = null;
  try {
    await etcd.waitHealthy(30_000);
    const configFile = path.join(dir, 'fulcrum.yaml');
    writeFileSync(
      configFile,
      [
        `pollIntervalMs: ${INTERVAL}`,
        'maxSubscribers: 5000',
        // Every viewer of the benchmark comes from one address.
        'server: { maxStreamsPerClient: 5000 }',
        `snapshots: { dataDir: ${JSON.stringify(path.join(dir, 'data'))} }`,
        'clusters:',
        '  - name: bench',
        '    endpoints:',
        ...etcd.endpoints.map((e) => `      - "${e}"`),
      ].join('\n'),
    );
    server = await startFulcrum(configFile, dir);
    // Let history fill the state's recent window (the first state is bounded, ~96 kB).
    await sleep(10_000);
    console.log(
      `${values.members} etcd members, poll every ${INTERVAL} ms, ${SECONDS} s of steady state per row; load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      '| viewers | connect (all at once) | largest poll gap while connecting | delay p50 | delay p99 | drops | server memory per viewer | first state | delta (median) |',
    );
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const n of values.viewers.split(',').map(Number)) console.log(line(await run(server.url, server.pid, n)));
  } finally {
    await server?.stop();
    await load?.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
