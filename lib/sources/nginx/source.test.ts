// The NGINX source against real files: the captured configs and log lines (test/fixtures/nginx)
// copied into a temp dir, appended to between polls as NGINX would; and the NGINX Plus client
// against a small HTTP server answering the documented API shapes (Plus can't run here).
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyErrorMessage, NginxSource } from './source';

const FIX = path.resolve(__dirname, '../../../test/fixtures/nginx');
const fixture = (f: string) => readFileSync(path.join(FIX, f), 'utf8');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-nginx-src-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(mode: 'stream' | 'grpc'): string {
  cpSync(path.join(FIX, mode), dir, { recursive: true });
  writeFileSync(path.join(dir, 'access.log'), '');
  writeFileSync(path.join(dir, 'error.log'), '');
  return path.join(dir, 'nginx.conf');
}

const byName = <T extends { name: string }>(xs: T[]) => Object.fromEntries(xs.map((x) => [x.name, x]));

describe('NginxSource: stream (L4), open source', () => {
  it('reads the upstream from the included file; counts sessions, retries and failures from the logs', async () => {
    const config = setup('stream');
    // "now" is just after the captured failures (error log times are local time)
    const now = new Date(2026, 10, 29, 5, 25, 44).getTime();
    const src = new NginxSource({ config }, 500, () => now);
    const first = await src.poll();
    expect(first).toMatchObject({ backend: 'etcd', context: 'stream', protocol: 'tcp', logErrors: [] });
    expect(first.nginx).toMatchObject({
      plus: false,
      directives: [],
      upstreamAt: expect.stringMatching(/etcd-upstream\.conf:2$/),
    });
    expect(first.check).toEqual({ type: 'passive', method: null, path: null, interMs: {} });
    expect(first.servers.map((s) => [s.name, s.weight, s.status, s.checkLayer, s.checkMode, s.stot])).toEqual([
      ['127.0.0.1:45259', 30, 'UP', 'L4', 'passive', 0],
      ['127.0.0.1:37163', 20, 'UP', 'L4', 'passive', 0],
      ['127.0.0.1:43693', 10, 'UP', 'L4', 'passive', 0],
    ]);
    expect(first.servers[0].checkDesc).toBe('max_fails=2 fail_timeout=5s on real connections');

    appendFileSync(path.join(dir, 'access.log'), fixture('stream-access.log'));
    appendFileSync(path.join(dir, 'error.log'), fixture('stream-error.log'));
    const snap = await src.poll();
    const s = byName(snap.servers);
    // sessions that ended on each server (the last address of each line)
    expect([s['127.0.0.1:45259'].stot, s['127.0.0.1:37163'].stot, s['127.0.0.1:43693'].stot]).toEqual([3, 3, 2]);
    // 43693 was killed: 2 failed tries in the access log, 3 `connect() failed` in the error log → 3 (the same
    // failures, counted once)
    expect(s['127.0.0.1:43693'].econ).toBe(3);
    expect(s['127.0.0.1:43693'].wretr).toBe(2);
    expect(s['127.0.0.1:45259'].econ).toBe(1);
    // sessions retried onto a server after another failed
    expect(s['127.0.0.1:37163'].wredis + s['127.0.0.1:45259'].wredis).toBe(2);
    expect(s['127.0.0.1:45259'].bytesOut).toBe(2086 + 2086 + 1927);
    expect(s['127.0.0.1:45259'].timeCount).toBe(3);
    expect(s['127.0.0.1:45259'].timeMsSum).toBeCloseTo(1389 + 1452 + 1630);
    // `upstream server temporarily disabled` at 05:25:43, fail_timeout 5 s, now 05:25:44
    expect(s['127.0.0.1:43693'].status).toBe('DOWN (max_fails)');
    expect(s['127.0.0.1:43693'].checkStatus).toBe('passive: failed');
    expect(s['127.0.0.1:45259'].status).toBe('UP');
    // "a, b, etcd" and "etcd": no live upstreams in the access log; one of them in the error log too
    expect(snap.nginx.noLiveUpstreams).toBe(2);
    expect(snap.unmatchedLines).toBe(0);
    await src.close();
  });

  it('the passive "disabled" state ends after fail_timeout', async () => {
    const config = setup('stream');
    let now = new Date(2026, 10, 29, 5, 25, 44).getTime();
    const src = new NginxSource({ config }, 500, () => now);
    await src.poll();
    appendFileSync(path.join(dir, 'error.log'), fixture('stream-error.log'));
    expect(byName((await src.poll()).servers)['127.0.0.1:43693'].status).toBe('DOWN (max_fails)');
    now += 5_000;
    expect(byName((await src.poll()).servers)['127.0.0.1:43693'].status).toBe('UP');
    await src.close();
  });

  it('follows a config edit (a reload): new weights; a broken edit keeps the last good config and says why', async () => {
    const config = setup('stream');
    const src = new NginxSource({ config }, 500);
    await src.poll();
    const up = path.join(dir, 'conf.d/etcd-upstream.conf');
    writeFileSync(
      up,
      readFileSync(up, 'utf8')
        .replace(/(45259) weight=30/, '$1 weight=10')
        .replace(/(43693) weight=10/, '$1 weight=80'),
    );
    utimesSync(up, new Date(), new Date(Date.now() + 2000));
    const after = await src.poll();
    expect(after.servers.map((s) => s.weight)).toEqual([10, 20, 80]);
    expect(after.configError).toBeNull();
    writeFileSync(up, 'upstream etcd { server 127.0.0.1:1');
    utimesSync(up, new Date(), new Date(Date.now() + 4000));
    const broken = await src.poll();
    expect(broken.configError).toMatch(/etcd-upstream\.conf:1: .*(has no ";"|never closed)/);
    expect(broken.servers.map((s) => s.weight)).toEqual([10, 20, 80]);
    await src.close();
  });

  it('an unreadable config on the first poll is a clear error naming the file', async () => {
    const src = new NginxSource({ config: path.join(dir, 'nope.conf') }, 500);
    await expect(src.poll()).rejects.toThrow(`cannot read ${path.join(dir, 'nope.conf')}: ENOENT`);
  });

  it('an access log format without $upstream_addr is reported, not guessed', async () => {
    const config = setup('stream');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/"\$upstream_addr" /, ''));
    const src = new NginxSource({ config }, 500);
    const snap = await src.poll();
    expect(snap.logErrors).toEqual([expect.stringContaining('has no $upstream_addr')]);
    await src.close();
  });

  it('an access log that no proxying server writes is reported', async () => {
    const config = setup('stream');
    const src = new NginxSource({ config, accessLog: path.join(dir, 'other.log') }, 500);
    expect((await src.poll()).logErrors[0]).toContain(
      'no server that proxies to upstream "etcd" writes this access log',
    );
    await src.close();
  });
});

describe('NginxSource: grpc (L7)', () => {
  it('counts requests, 502/504 per try, 499s, and the error log kinds', async () => {
    const config = setup('grpc');
    const src = new NginxSource({ config }, 500);
    const first = await src.poll();
    expect(first).toMatchObject({ context: 'http', protocol: 'grpc' });
    // grpc_next_upstream error timeout: failures are counted on connections, not HTTP statuses
    expect(first.servers.every((s) => s.checkLayer === 'L4' && s.checkDesc!.endsWith('on real requests'))).toBe(true);
    appendFileSync(path.join(dir, 'access.log'), fixture('grpc-access.log'));
    appendFileSync(path.join(dir, 'error.log'), fixture('grpc-error.log'));
    const s = byName((await src.poll()).servers);
    expect([s['127.0.0.1:33173'].stot, s['127.0.0.1:40543'].stot, s['127.0.0.1:43781'].stot]).toEqual([3, 3, 0]);
    expect(s['127.0.0.1:40543'].cliAbrt).toBe(1);
    expect(s['127.0.0.1:33173'].hrsp5xx).toBe(1);
    // 43781 refused: one failed try in the access log, one connect() failed in the error log
    expect(s['127.0.0.1:43781'].econ).toBe(1);
    expect(s['127.0.0.1:33173'].srvAbrt).toBe(1);
    expect(s['127.0.0.1:40543'].srvAbrt).toBe(1);
    await src.close();
  });
});

describe('classifyErrorMessage', () => {
  it.each([
    ['connect() failed (111: Connection refused) while connecting to upstream', 'econ'],
    ['upstream timed out (110: Connection timed out) while connecting to upstream', 'econ'],
    ['upstream timed out (110: Connection timed out) while reading response header from upstream', 'eresp'],
    ['upstream prematurely closed connection while reading response header from upstream', 'srvAbrt'],
    ['recv() failed (104: Connection reset by peer) while reading response header from upstream', 'srvAbrt'],
    ['no live upstreams while connecting to upstream', 'noLive'],
    ['upstream server temporarily disabled while reading response header from upstream', 'disabled'],
    ['client closed connection while waiting for request', null],
  ])('%s → %s', (msg, kind) => expect(classifyErrorMessage(msg)).toBe(kind));
});

describe('NginxSource with plusApi (NGINX Plus REST API)', () => {
  let server: http.Server;
  let api: string;
  let requests: string[];
  let peers: unknown[];

  beforeEach(async () => {
    requests = [];
    peers = [
      {
        id: 0,
        server: '127.0.0.1:45259',
        name: '127.0.0.1:45259',
        backup: false,
        weight: 30,
        state: 'up',
        active: 4,
        connections: 120,
        sent: 1000,
        received: 2000,
        fails: 0,
        unavail: 0,
        health_checks: { checks: 10, fails: 0, unhealthy: 0, last_passed: true },
      },
      {
        id: 1,
        server: '127.0.0.1:37163',
        name: '127.0.0.1:37163',
        backup: false,
        weight: 20,
        state: 'unhealthy',
        active: 0,
        connections: 80,
        sent: 10,
        received: 20,
        fails: 3,
        unavail: 1,
        health_checks: { checks: 10, fails: 4, unhealthy: 1, last_passed: false },
      },
      {
        id: 2,
        server: '127.0.0.1:43693',
        name: '127.0.0.1:43693',
        backup: false,
        weight: 80,
        state: 'up',
        active: 9,
        connections: 300,
        sent: 0,
        received: 0,
        fails: 0,
        unavail: 0,
        health_checks: { checks: 10, fails: 0, unhealthy: 0, last_passed: true },
      },
    ];
    server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.setHeader('Content-Type', 'application/json');
      if (req.url === '/api/') return res.end(JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
      if (req.url === '/api/9/stream/upstreams/etcd')
        return res.end(JSON.stringify({ peers, keepalive: 0, zombies: 0, zone: 'etcd' }));
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { status: 404, text: 'upstream not found', code: 'UpstreamNotFound' } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
  });

  it('takes live state, weights, connections and active checks from the API (version ≤ 9)', async () => {
    const config = setup('stream');
    const src = new NginxSource({ config, plusApi: api }, 500);
    const snap = await src.poll();
    expect(requests).toEqual(['GET /api/', 'GET /api/9/stream/upstreams/etcd']);
    expect(snap.nginx.plus).toBe(true);
    const s = byName(snap.servers);
    expect(s['127.0.0.1:43693']).toMatchObject({
      weight: 80,
      initialWeight: 10, // the config file still says 10: runtime change through the API
      status: 'UP',
      scur: 9,
      stot: 300,
      checkMode: 'active',
      checkLayer: 'L4',
      checkStatus: 'health check passed',
    });
    expect(s['127.0.0.1:37163']).toMatchObject({
      status: 'DOWN (health check)',
      econ: 3,
      checkStatus: 'health check failed',
    });
    await src.poll();
    // the version is asked once
    expect(requests.filter((r) => r === 'GET /api/')).toHaveLength(1);
    await src.close();
  });

  it('an unknown upstream is a clear error', async () => {
    const src = new NginxSource({ plusApi: api, upstream: 'nope' }, 500);
    await expect(src.poll()).rejects.toThrow('NGINX Plus API has no stream upstream "nope"');
  });

  it('an answer of the wrong shape is a clear error', async () => {
    peers = [{ id: 'x' }];
    const src = new NginxSource({ plusApi: api, upstream: 'etcd' }, 500);
    await expect(src.poll()).rejects.toThrow(/unexpected answer \(peers\.0\.id/);
  });
});
