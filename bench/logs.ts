// npm run bench:logs [-- --size-mb 1024 --runs 15 --keep]
//
// Time to answer a 5-minute window query (first page: 200 newest lines + the window's signal
// counts per minute) through queryLogs on a 1 GB zap-JSON member log: etcd 3.4-style lines over
// 24 h, a few of them signals. The file is generated once in the temp dir (reused by a later run
// with --keep) and deleted at the end unless --keep.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { parseConfig } from '../lib/config/load';
import { queryLogs } from '../lib/logs/query';

const { values } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1024' },
    runs: { type: 'string', default: '15' },
    keep: { type: 'boolean', default: false },
  },
});
const SIZE = Number(values['size-mb']) * 1024 * 1024;
const RUNS = Number(values.runs);
const SPAN_MS = 24 * 3600_000;
const T0 = Date.UTC(2024, 10, 25, 0, 0, 0);
const WINDOW_MS = 5 * 60_000;
const dir = path.join(os.tmpdir(), 'fulcrum-bench-logs');
const file = path.join(dir, `etcd-${values['size-mb']}mb.log`);

// Messages in roughly the mix of the captured fixtures; one in ~500 is a signal.
const ORDINARY = [
  [
    'info',
    'rafthttp/stream.go:250',
    'set message encoder',
    { from: '8dd8956c632942e6', to: '6c7af9fbd1b61e66', 'stream-type': 'stream MsgApp v2' },
  ],
  [
    'info',
    'etcdserver/api/v3rpc/interceptor.go:182',
    'request stats',
    {
      'start time': '2024-11-25T10:00:00.000Z',
      'time spent': '1.2ms',
      remote: '127.0.0.1:51880',
      'response type': '/etcdserverpb.KV/Range',
      'request count': 0,
      'request size': 21,
      'response count': 1,
      'response size': 112,
    },
  ],
  ['info', 'mvcc/index.go:214', 'compact tree index', { revision: 1234567 }],
  [
    'info',
    'mvcc/kvstore_compaction.go:55',
    'finished scheduled compaction',
    { 'compact-revision': 1234567, took: '5.1ms' },
  ],
  [
    'warn',
    'rafthttp/stream.go:277',
    'established TCP streaming connection with remote peer',
    {
      'stream-writer-type': 'stream Message',
      'local-member-id': '8dd8956c632942e6',
      'remote-peer-id': '6c7af9fbd1b61e66',
    },
  ],
] as const;
const SIGNAL_LINES = [
  [
    'warn',
    'etcdserver/util.go:167',
    'apply request took too long',
    {
      took: '172.067678ms',
      'expected-duration': '100ms',
      prefix: 'read-only range ',
      request: 'key:"/registry/pods/default/x" ',
      response: 'range_response_count:1 size:167',
    },
  ],
  ['warn', 'wal/wal.go:805', 'slow fdatasync', { took: '1.3s', 'expected-duration': '1s' }],
  [
    'warn',
    'etcdserver/raft.go:440',
    'leader failed to send out heartbeat on time; took too long, leader is overloaded likely from slow disk',
    {
      to: '6c7af9fbd1b61e66',
      'heartbeat-interval': '100ms',
      'expected-duration': '200ms',
      'exceeded-duration': '412ms',
    },
  ],
  ['info', 'raft/node.go:327', 'raft.node: 8dd8956c632942e6 elected leader 6c7af9fbd1b61e66 at term 7', {}],
] as const;

function line(t: number, k: number): string {
  const [level, caller, msg, fields] =
    k % 500 === 499 ? SIGNAL_LINES[((k / 500) % SIGNAL_LINES.length) | 0] : ORDINARY[k % ORDINARY.length];
  return JSON.stringify({ level, ts: new Date(t).toISOString(), caller, msg, ...fields });
}

function generate(): void {
  fs.mkdirSync(dir, { recursive: true });
  const sample = Array.from({ length: 1000 }, (_, k) => line(T0, k).length + 1);
  const avg = sample.reduce((a, b) => a + b, 0) / sample.length;
  const count = Math.ceil(SIZE / avg);
  const step = SPAN_MS / count;
  console.log(`generating ${file}: ~${count.toLocaleString()} lines over 24 h (${(1000 / step).toFixed(1)} lines/s)…`);
  const started = Date.now();
  const fd = fs.openSync(`${file}.tmp`, 'w');
  let chunk: string[] = [];
  let written = 0;
  for (let k = 0; written < SIZE; k++) {
    const l = line(T0 + Math.floor(k * step), k);
    chunk.push(l);
    written += Buffer.byteLength(l) + 1;
    if (chunk.length === 20_000) {
      fs.writeSync(fd, `${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length) fs.writeSync(fd, `${chunk.join('\n')}\n`);
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
  console.log(`  ${(written / 1024 / 1024).toFixed(0)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function main(): Promise<void> {
  if (!fs.existsSync(file) || fs.statSync(file).size < SIZE) generate();
  else console.log(`reusing ${file}`);
  const size = fs.statSync(file).size;
  const cluster = parseConfig(
    YAML.stringify({
      clusters: [
        {
          name: 'bench',
          endpoints: [{ url: 'http://127.0.0.1:2379', name: 'etcd-1' }],
          logs: { members: { 'etcd-1': file }, timezone: 'UTC' },
        },
      ],
    }),
    path.join(dir, 'fulcrum.yaml'),
    {},
  ).clusters[0];

  const variants: Array<{ name: string; q: { q?: string; level?: 'warn' } }> = [
    { name: '5-min window, first page (200 lines + signal counts)', q: {} },
    { name: '5-min window, level=warn', q: { level: 'warn' } },
    { name: '5-min window, q="slow fdatasync"', q: { q: 'slow fdatasync' } },
  ];
  console.log(`\nfile: ${(size / 1024 / 1024).toFixed(0)} MiB, ${RUNS} runs per variant, windows spread over the 24 h`);
  for (const v of variants) {
    const ms: number[] = [];
    const scanned: number[] = [];
    let lines = 0;
    let signals = 0;
    for (let r = 0; r < RUNS; r++) {
      const from = T0 + Math.floor((((r * 7919) % 97) / 97) * (SPAN_MS - WINDOW_MS));
      const started = process.hrtime.bigint();
      const page = await queryLogs(cluster, 'etcd-1', {
        from,
        to: from + WINDOW_MS,
        limit: 200,
        source: 'member',
        ...v.q,
      });
      ms.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (page.errors.length || page.truncated)
        throw new Error(`unexpected: ${JSON.stringify(page.errors)} truncated=${page.truncated}`);
      scanned.push(page.scannedBytes);
      lines = page.lines.length;
      signals = page.signalCounts.reduce((a, c) => a + c.count, 0);
    }
    console.log(`\n${v.name}`);
    console.log(
      `  median ${pct(ms, 50).toFixed(1)} ms   p95 ${pct(ms, 95).toFixed(1)} ms   (min ${Math.min(...ms).toFixed(1)}, max ${Math.max(...ms).toFixed(1)})`,
    );
    console.log(
      `  bytes scanned: median ${(pct(scanned, 50) / 1024 / 1024).toFixed(2)} MiB (${((pct(scanned, 50) / size) * 100).toFixed(2)} % of the file); last run: ${lines} lines, ${signals} signal lines in the window`,
    );
  }

  // For scale: reading the whole file once (page cache warm, no parsing).
  const started = process.hrtime.bigint();
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  fs.closeSync(fd);
  console.log(
    `\nfor scale: reading the whole file once, without parsing: ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms`,
  );

  if (!values.keep) {
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(`removed ${dir} (--keep to reuse it next time)`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
