// npm run bench:poll [-- --clusters 20,60 --interval 1000,5000 --seconds 20 --profile --code DIR]
//
// CPU per member poll of the real engine against a real 3-member etcd cluster (3.4, `--metrics
// extensive`, light load): N clusters that all point at the same three members, so N × 3 member
// polls per interval. Only this process's CPU counts (process.cpuUsage: user + system), so the
// numbers hold on a busy machine; etcd and the load generator run in their own processes.
// From the CPU per member poll: the largest member count that stays under half a core at 1 s and
// 5 s, then a run at that count to check it. `--code DIR` runs another checkout's engine (the
// "before" numbers); `--profile` prints the functions with the most self time.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEtcdCluster } from '../dev/lib/etcd';
import { startLoad } from '../dev/lib/load';
import { CpuProfiler, profileTable } from './lib/profile';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '20' },
    interval: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    profile: { type: 'boolean', default: false },
    verify: { type: 'boolean', default: true },
    'no-verify': { type: 'boolean', default: false },
    code: { type: 'string', default: path.resolve(import.meta.dirname, '..') },
    load: { type: 'string', default: '100' },
  },
});
const CODE = path.resolve(values.code);
const SECONDS = Number(values.seconds);
const HALF_CORE = 0.5;

interface EngineLike {
  start(): void;
  stop(): Promise<void>;
  state(): { seq: number; members: Array<{ status: string; error: string | null }> };
}
interface Code {
  parseConfig(text: string, file: string, env: Record<string, string>): { clusters: unknown[] };
  ClusterEngine: new (cfg: unknown, cluster: unknown, opts?: object) => EngineLike;
}

async function loadCode(dir: string): Promise<Code> {
  const cfg = await import(path.join(dir, 'lib/config/load.ts'));
  const eng = await import(path.join(dir, 'lib/engine/cluster.ts'));
  return { parseConfig: cfg.parseConfig, ClusterEngine: eng.ClusterEngine };
}

interface Row {
  clusters: number;
  members: number;
  intervalMs: number;
  memberPolls: number;
  cpuMs: number;
  cores: number;
  cpuPerMemberPollMs: number;
  notUp: number;
  rssMiB: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(code: Code, endpoints: string[], clusters: number, intervalMs: number, profile: boolean) {
  const yaml = [
    `pollIntervalMs: ${intervalMs}`,
    'clusters:',
    ...Array.from({ length: clusters }, (_, i) =>
      [`  - name: c${i + 1}`, '    endpoints:', ...endpoints.map((e) => `      - "${e}"`)].join('\n'),
    ),
  ].join('\n');
  const cfg = code.parseConfig(yaml, 'bench.yaml', {});
  const engines = cfg.clusters.map((c) => new code.ClusterEngine(cfg, c, {}));
  // Stagger the starts over one interval, as a server's engines drift apart.
  for (const [i, e] of engines.entries()) setTimeout(() => e.start(), (i * intervalMs) / engines.length).unref();
  const seqs = () => engines.reduce((n, e) => n + e.state().seq, 0);
  await sleep(intervalMs * 2 + 2000); // warm-up: connections, JIT
  const profiler = profile ? new CpuProfiler() : null;
  await profiler?.start();
  const s0 = seqs();
  const c0 = process.cpuUsage();
  await sleep(SECONDS * 1000);
  const c = process.cpuUsage(c0);
  const s1 = seqs();
  const top = await profiler?.stop();
  const down = engines.flatMap((e) => e.state().members.filter((m) => m.status !== 'up'));
  const notUp = down.length;
  const errors = [...new Set(down.map((m) => `${m.status}: ${m.error}`))].slice(0, 3);
  if (errors.length) console.log(`  members not up, e.g.: ${errors.join(' | ')}`);
  const rssMiB = process.memoryUsage().rss / 2 ** 20;
  await Promise.all(engines.map((e) => e.stop()));
  const memberPolls = (s1 - s0) * endpoints.length;
  const cpuMs = (c.user + c.system) / 1000;
  const row: Row = {
    clusters,
    members: clusters * endpoints.length,
    intervalMs,
    memberPolls,
    cpuMs,
    cores: cpuMs / (SECONDS * 1000),
    cpuPerMemberPollMs: memberPolls ? cpuMs / memberPolls : NaN,
    notUp,
    rssMiB,
  };
  return { row, top };
}

function line(r: Row): string {
  return `| ${r.clusters} × 3 = ${r.members} | ${r.intervalMs / 1000} s | ${r.memberPolls} | ${r.cpuPerMemberPollMs.toFixed(2)} ms | ${(r.cores * 100).toFixed(0)} % | ${r.notUp} | ${r.rssMiB.toFixed(0)} MiB |`;
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-bench-poll-'));
  const etcd = await startEtcdCluster({ size: 3, dir });
  const load =
    Number(values.load) > 0
      ? startLoad({ target: etcd.endpoints[0], rate: Number(values.load), logFile: path.join(dir, 'load.log') })
      : null;
  try {
    await etcd.waitHealthy(30_000);
    const code = await loadCode(CODE);
    console.log(
      `code: ${CODE}; ${SECONDS} s per run; load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    const rows: Row[] = [];
    let perPoll = 0;
    for (const clusters of values.clusters.split(',').map(Number)) {
      for (const intervalMs of values.interval.split(',').map(Number)) {
        const { row, top } = await run(code, etcd.endpoints, clusters, intervalMs, values.profile && rows.length === 0);
        rows.push(row);
        console.log(line(row));
        if (top) console.log(`\nprofile (${row.members} members at ${intervalMs / 1000} s):\n${profileTable(top)}\n`);
        if (rows.length === 1) perPoll = row.cpuPerMemberPollMs;
      }
    }
    // The largest member count under half a core, from the first run's CPU per member poll.
    const largest = (intervalMs: number) => Math.floor((HALF_CORE * intervalMs) / perPoll);
    const verify: Row[] = [];
    if (values.verify && !values['no-verify']) {
      for (const intervalMs of [1000, 5000]) {
        const members = largest(intervalMs);
        const clusters = Math.max(1, Math.min(1000, Math.floor(members / 3)));
        const { row } = await run(code, etcd.endpoints, clusters, intervalMs, false);
        verify.push(row);
        console.log(`${line(row)}  (check of the largest count at ${intervalMs / 1000} s)`);
      }
    }
    console.log(
      '\n| members | interval | member polls | CPU per member poll | CPU (of one core) | members not up at the end | RSS |',
    );
    console.log('|---|---|---:|---:|---:|---:|---:|');
    for (const r of rows) console.log(line(r));
    for (const r of verify) console.log(line(r));
    console.log(
      `\nlargest member count under half a core (from ${perPoll.toFixed(2)} ms per member poll): ${largest(1000)} at 1 s, ${largest(5000)} at 5 s`,
    );
    console.log(
      `load average at the end ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await load?.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
