// The Loki client against a small Loki-compatible HTTP server run by the test (real HTTP on a
// free port): Debian's `loki` package is an unrelated genetics program, not Grafana Loki.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logqlString } from './loki';
import { queryLogs } from './query';
import { clusterWithLogs, zapLine } from './testkit';

const T0 = Date.UTC(2024, 10, 25, 10, 0, 0);
const ns = (ms: number, extra = 0) => (BigInt(ms) * 1_000_000n + BigInt(extra)).toString();

interface Stream {
  labels: Record<string, string>;
  entries: Array<[string, string]>;
}

/** Just enough of Loki's query_range: selector with = matchers, |= and |~ filters, [start, end), backward, limit. */
function fakeLoki(streams: Stream[], opts: { token?: string; tenant?: string }) {
  const requests: Array<{ query: string; headers: http.IncomingHttpHeaders }> = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (u.pathname !== '/loki/api/v1/query_range') return send(404, { message: 'not found' });
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`)
      return send(401, { message: 'unauthorized' });
    if (opts.tenant && req.headers['x-scope-orgid'] !== opts.tenant) return send(401, { message: 'no org id' });
    const query = u.searchParams.get('query') ?? '';
    requests.push({ query, headers: req.headers });
    const m = /^\{([^}]*)\}(.*)$/.exec(query);
    if (!m) return send(400, { message: `parse error: ${query}` });
    const matchers = [...m[1].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]] as const);
    const stages = [...m[2].matchAll(/\|([=~]) "((?:[^"\\]|\\.)*)"/g)].map((x) => {
      const lit = JSON.parse(`"${x[2]}"`) as string;
      if (x[1] === '=') return (l: string) => l.includes(lit);
      const ci = lit.startsWith('(?i)');
      const re = new RegExp(ci ? lit.slice(4) : lit, ci ? 'i' : '');
      return (l: string) => re.test(l);
    });
    const start = BigInt(u.searchParams.get('start') ?? '0');
    const end = BigInt(u.searchParams.get('end') ?? '0');
    const limit = Number(u.searchParams.get('limit') ?? '100');
    const hits: Array<{ s: Stream; e: [string, string] }> = [];
    for (const s of streams) {
      if (!matchers.every(([k, v]) => s.labels[k] === v)) continue;
      for (const e of s.entries) {
        const t = BigInt(e[0]);
        if (t >= start && t < end && stages.every((f) => f(e[1]))) hits.push({ s, e });
      }
    }
    hits.sort((a, b) => (BigInt(a.e[0]) < BigInt(b.e[0]) ? 1 : -1));
    const kept = hits.slice(0, limit);
    const byStream = new Map<Stream, Array<[string, string]>>();
    for (const h of kept) byStream.set(h.s, [...(byStream.get(h.s) ?? []), h.e]);
    send(200, {
      status: 'success',
      data: { resultType: 'streams', result: [...byStream].map(([s, values]) => ({ stream: s.labels, values })) },
    });
  });
  return { server, requests };
}

let dir: string;
let loki: ReturnType<typeof fakeLoki>;
let url: string;
const member1: Stream = { labels: { job: 'etcd', instance: 'etcd-1' }, entries: [] };
const member2: Stream = { labels: { job: 'etcd', instance: 'etcd-2' }, entries: [] };
const lb: Stream = { labels: { job: 'haproxy' }, entries: [] };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-loki-'));
  // etcd-1: 300 lines 1 s apart, every 50th a heartbeat warning; 5 lines share one nanosecond.
  for (let i = 0; i < 300; i++) {
    const msg = i % 50 === 0 ? 'leader failed to send out heartbeat on time; took too long' : `line ${i}`;
    member1.entries.push([ns(T0 + i * 1000), zapLine(T0 + i * 1000, msg, i % 50 === 0 ? 'warn' : 'info')]);
  }
  for (let k = 0; k < 5; k++) member1.entries.push([ns(T0 + 150_500), zapLine(T0 + 150_500, `same ns ${k}`)]);
  member2.entries.push([ns(T0 + 5000), zapLine(T0 + 5000, 'etcd-2 line')]);
  lb.entries.push(
    [
      ns(T0 + 10_000),
      `<134>Nov 25 10:00:10 lb haproxy[1]: 127.0.0.1:5000 [25/Nov/2024:10:00:09.000] etcd_in etcd/etcd-1 1/-1/1000 0 SC 1/1/1/1/3 0/0`,
    ],
    [
      ns(T0 + 11_000),
      `<134>Nov 25 10:00:11 lb haproxy[1]: 127.0.0.1:5001 [25/Nov/2024:10:00:10.000] etcd_in etcd/etcd-2 1/0/1000 10 -- 1/1/1/1/0 0/0`,
    ],
  );
  loki = fakeLoki([member1, member2, lb], { token: 's3cret-token', tenant: 'team-a' });
  await new Promise<void>((r) => loki.server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(loki.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => loki.server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

const env = { LOKI_TOKEN: 's3cret-token' };
const lokiCluster = (u: string) =>
  clusterWithLogs(
    dir,
    {
      timezone: 'UTC',
      loki: {
        url: u,
        tenant: 'team-a',
        bearerTokenEnv: 'LOKI_TOKEN',
        members: { 'etcd-1': '{job="etcd",instance="etcd-1"}', 'etcd-2': '{job="etcd",instance="etcd-2"}' },
        balancer: '{job="haproxy"}',
      },
    },
    2,
    env,
  );

describe('Loki source', () => {
  it('pages a member stream newest first with tenant and token, and counts signals', async () => {
    const cluster = lokiCluster(url);
    const seen: string[] = [];
    let cursor: string | undefined;
    let first = true;
    for (let guard = 0; guard < 100; guard++) {
      const p = await queryLogs(
        cluster,
        'etcd-1',
        { from: T0 + 100_000, to: T0 + 200_000, limit: 7, source: 'member', cursor },
        { env },
      );
      expect(p.errors).toEqual([]);
      if (first) {
        expect(p.signalCounts).toEqual([
          { minute: T0 + 60_000, signal: 'heartbeat-late', count: 1 },
          { minute: T0 + 120_000, signal: 'heartbeat-late', count: 1 },
          { minute: T0 + 180_000, signal: 'heartbeat-late', count: 1 }, // to is inclusive
        ]);
        first = false;
      }
      seen.push(...p.lines.map((l) => l.raw));
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    const want = member1.entries
      .filter(([n]) => BigInt(n) >= BigInt(ns(T0 + 100_000)) && BigInt(n) <= BigInt(ns(T0 + 200_000)))
      .map(([, l]) => l);
    expect([...seen].sort()).toEqual([...want].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(loki.requests.at(-1)!.headers['x-scope-orgid']).toBe('team-a');
  });

  it('filters the balancer stream to the member and passes the search text as a LogQL string', async () => {
    const cluster = lokiCluster(url);
    const p = await queryLogs(cluster, 'etcd-1', { from: T0, to: T0 + 60_000, limit: 10, source: 'balancer' }, { env });
    expect(p.lines.map((l) => l.fields.server)).toEqual(['etcd-1']);
    expect(p.signalCounts).toEqual([{ minute: T0, signal: 'lb-termination', count: 1 }]);
    const evil = 'x" } |= "y\\';
    const q = await queryLogs(
      cluster,
      'etcd-1',
      { from: T0, to: T0 + 60_000, limit: 10, q: evil, source: 'member' },
      { env },
    );
    expect(q.errors).toEqual([]);
    expect(q.lines).toEqual([]);
    expect(loki.requests.at(-1)!.query.startsWith('{job="etcd",instance="etcd-1"}')).toBe(true);
    expect(logqlString('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
  });

  it('says clearly when Loki is down or refuses, and the other source still answers', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    const bal = path.join(dir, 'haproxy.log');
    fs.writeFileSync(
      bal,
      `<134>Nov 25 10:00:10 lb haproxy[1]: 127.0.0.1:5000 [25/Nov/2024:10:00:09.000] etcd_in etcd/etcd-1 1/0/1000 10 -- 1/1/1/1/0 0/0\n`,
    );
    const cluster = clusterWithLogs(dir, {
      timezone: 'UTC',
      balancer: bal,
      loki: { url: deadUrl, members: { 'etcd-1': '{job="etcd"}' } },
    });
    const p = await queryLogs(cluster, 'etcd-1', { from: T0, to: T0 + 60_000, limit: 10 }, { now: T0 });
    expect(p.errors).toEqual([
      {
        source: 'member',
        message: `Loki at ${deadUrl} did not answer: 127.0.0.1:${new URL(deadUrl).port}/loki/api/v1/query_range: ECONNREFUSED`,
      },
    ]);
    expect(p.lines.length).toBe(1);
    expect(p.lines[0].source).toBe('balancer');

    const noToken = lokiCluster(url);
    const r = await queryLogs(
      noToken,
      'etcd-2',
      { from: T0, to: T0 + 60_000, limit: 10, source: 'member' },
      { env: { LOKI_TOKEN: 'wrong' } },
    );
    expect(r.errors[0].message).toBe(`Loki at ${url} answered HTTP 401: unauthorized`);
  });
});
