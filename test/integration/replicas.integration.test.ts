// Several replicas: two production Fulcrum processes behind HAProxy (HTTP, round robin, health
// checked), sharing one PostgreSQL store, both polling the same real etcd cluster (an HA pair).
// A snapshot created through one opens through the other, a session made on one works on the
// other (and logging out on one ends it on both), rate limits are counted together, and with one
// replica gone the other serves everything through HAProxy.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdCluster, startEtcdCluster } from '@/dev/lib/etcd';
import { type FulcrumServer, startFulcrum } from '@/dev/lib/fulcrum';
import { HAPROXY_BIN } from '@/dev/lib/haproxy';
import { type PostgresServer, startPostgres } from '@/dev/lib/postgres';
import { freePort, type ManagedProcess, spawnManaged, stopProcess } from '@/dev/lib/procs';
import type { ClusterState } from '@/lib/types';
import { type RawAnswer, rawRequest, waitUntil } from './helpers';

const ADMIN = 'admin-token-replicas-0123456789';
const VIEWER = 'viewer-token-replicas-0123456789';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-replicas-'));
fs.chmodSync(root, 0o755); // PostgreSQL runs as its own user and must reach its dir inside
let etcd: EtcdCluster;
let pg: PostgresServer;
let haproxy: ManagedProcess;
let front = '';
const replicas: FulcrumServer[] = [];

const req = rawRequest;

const admin = { authorization: `Bearer ${ADMIN}` };
const servedBy = (a: RawAnswer) => String(a.headers['x-fulcrum-replica']);

async function login(base: string, token: string, from: string): Promise<RawAnswer> {
  return req(base, 'POST', '/api/auth/login', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, next: '/' }).toString(),
    from,
  });
}

async function polls(base: string): Promise<number> {
  const m = await req(base, 'GET', '/api/metrics', { headers: admin });
  const line = m.text.split('\n').find((l) => l.startsWith('fulcrum_poll_duration_seconds_count{cluster="local"}'));
  return line ? Number(line.split(' ').pop()) : 0;
}

beforeAll(async () => {
  // Both at once; when one fails, the other is still kept for afterAll to stop.
  const [e, p] = await Promise.allSettled([
    startEtcdCluster({ size: 1, dir: path.join(root, 'etcd') }),
    startPostgres({ dir: path.join(root, 'pg'), fsync: false }),
  ]);
  if (e.status === 'fulfilled') etcd = e.value;
  if (p.status === 'fulfilled') pg = p.value;
  for (const r of [e, p]) if (r.status === 'rejected') throw r.reason;
  const frontPort = await freePort();
  front = `http://127.0.0.1:${frontPort}`;
  const config = path.join(root, 'fulcrum.yaml');
  fs.writeFileSync(
    config,
    `pollIntervalMs: 1000
timeoutMs: 500
snapshots: { createPerMinute: 3 }
auth:
  adminTokenEnv: FULCRUM_ADMIN_TOKEN
  viewerTokensEnv: FULCRUM_VIEWER_TOKENS
server:
  publicUrl: ${front}
  trustedProxies: [127.0.0.1/32]
clusters:
  - name: local
    endpoints:
      - { url: "${etcd.members[0].clientUrl}", name: a }
`,
  );
  const env = { FULCRUM_ADMIN_TOKEN: ADMIN, FULCRUM_VIEWER_TOKENS: VIEWER, DATABASE_URL: pg.url };
  // Both at once: the schema migration must be safe when two replicas start together.
  const started = await Promise.allSettled([startFulcrum(config, root, env), startFulcrum(config, root, env)]);
  for (const r of started) if (r.status === 'fulfilled') replicas.push(r.value);
  for (const r of started) if (r.status === 'rejected') throw r.reason;
  const cfg = path.join(root, 'haproxy.cfg');
  fs.writeFileSync(
    cfg,
    [
      'global',
      '  maxconn 2048',
      'defaults',
      '  mode http',
      '  option forwardfor',
      '  option redispatch',
      '  retries 2',
      '  timeout connect 2s',
      '  timeout client 1m',
      '  timeout server 1m',
      '  timeout check 5s',
      'frontend fulcrum_in',
      `  bind 127.0.0.1:${frontPort}`,
      '  default_backend fulcrum',
      'backend fulcrum',
      '  balance roundrobin',
      '  option httpchk GET /api/health',
      '  http-response set-header X-Fulcrum-Replica %s',
      ...replicas.map((r, i) => `  server r${i + 1} 127.0.0.1:${r.port} check inter 500 fall 3 rise 1`),
      '',
    ].join('\n'),
  );
  haproxy = spawnManaged('haproxy (replicas)', HAPROXY_BIN, ['-db', '-f', cfg], {
    logFile: path.join(root, 'haproxy.log'),
  });
  await waitUntil(
    async () => (await req(front, 'GET', '/api/health').catch(() => ({ status: 0 }))).status === 200,
    20_000,
    'HAProxy to answer',
  );
}, 180_000);

afterAll(async () => {
  if (haproxy) await stopProcess(haproxy);
  await Promise.all(replicas.map((r) => r.stop()));
  await pg?.stop();
  await etcd?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('two replicas behind HAProxy sharing PostgreSQL', () => {
  it('HAProxy spreads requests over both, and each replica polls the cluster itself', async () => {
    // Until HAProxy's health checks have seen both up (a busy machine can fail the first checks).
    const seen = new Set<string>();
    await waitUntil(
      async () => {
        const a = await req(front, 'GET', '/api/clusters/local', { headers: admin });
        expect(a.status).toBe(200);
        seen.add(servedBy(a));
        return seen.size === 2;
      },
      60_000,
      'answers from both replicas through HAProxy',
    );
    expect([...seen].sort()).toEqual(['r1', 'r2']);
    for (const r of replicas) {
      await waitUntil(
        async () => {
          const s = JSON.parse(
            (await req(r.url, 'GET', '/api/clusters/local', { headers: admin })).text,
          ) as ClusterState;
          return s.members[0]?.status === 'up';
        },
        30_000,
        `${r.url}: member a up`,
      );
      const before = await polls(r.url);
      await waitUntil(async () => (await polls(r.url)) >= before + 2, 30_000, `${r.url}: two more polls`);
    }
  });

  it('a snapshot created through one replica opens through the other, its link on the public URL', async () => {
    const [a, b] = replicas;
    const made = await req(a.url, 'POST', '/api/snapshots', {
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ cluster: 'local', rangeMs: 60_000 }),
      from: '127.0.0.2',
    });
    expect(made.status, made.text).toBe(201);
    const { id, url } = JSON.parse(made.text) as { id: string; url: string };
    expect(url.startsWith(`${front}/`)).toBe(true);
    const opened = await req(b.url, 'GET', `/api/snapshots/${id}`, { headers: admin, from: '127.0.0.2' });
    expect(opened.status, opened.text).toBe(200);
    expect((JSON.parse(opened.text) as { cluster: { name: string } }).cluster.name).toBe('local');
    const listed = await req(b.url, 'GET', '/api/snapshots', { headers: admin, from: '127.0.0.2' });
    expect(listed.text).toContain(id);
  });

  it('a session made on one replica works on the other; logging out on one ends it on both', async () => {
    const [a, b] = replicas;
    const made = await login(a.url, VIEWER, '127.0.0.3');
    expect(made.status).toBe(303);
    expect(made.headers.location).toBe('/');
    const cookie = String((made.headers['set-cookie'] ?? [])[0]).split(';')[0];
    expect(cookie).toMatch(/=[^;]{16,}/);
    expect((await req(b.url, 'GET', '/api/clusters/local', { from: '127.0.0.3' })).status).toBe(401);
    expect((await req(b.url, 'GET', '/api/clusters/local', { headers: { cookie }, from: '127.0.0.3' })).status).toBe(
      200,
    );
    const out = await req(b.url, 'POST', '/api/auth/logout', {
      headers: { cookie, origin: front, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'next=/login',
      from: '127.0.0.3',
    });
    expect(out.status).toBeLessThan(400);
    for (const r of replicas)
      expect((await req(r.url, 'GET', '/api/clusters/local', { headers: { cookie }, from: '127.0.0.3' })).status).toBe(
        403,
      );
  });

  it('rate limits are counted together: wrong logins through HAProxy hit one lockout, snapshots one limit', async () => {
    // Through HAProxy (a trusted proxy): the client is the address HAProxy saw, whichever replica answers.
    const answered = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const a = await login(front, 'wrong-token-0123456789', '127.0.0.4');
      expect(a.headers.location).toMatch(/error=wrong/);
      answered.add(servedBy(a));
    }
    expect([...answered].sort()).toEqual(['r1', 'r2']);
    for (let i = 0; i < 2; i++) {
      const a = await login(front, VIEWER, '127.0.0.4');
      expect(a.headers.location, `replica ${servedBy(a)}`).toMatch(/error=too-many/);
    }
    // Another client is not locked out by it.
    expect((await login(front, VIEWER, '127.0.0.5')).headers.location).toBe('/');
    // snapshots.createPerMinute: 3 for one client, whichever replica it asks.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = replicas[i % 2];
      const a = await req(r.url, 'POST', '/api/snapshots', {
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ cluster: 'local', rangeMs: 10_000 }),
        from: '127.0.0.6',
      });
      statuses.push(a.status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('with one replica gone, the other serves everything through HAProxy', async () => {
    const made = await req(front, 'POST', '/api/snapshots', {
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ cluster: 'local', rangeMs: 10_000 }),
      from: '127.0.0.7',
    });
    expect(made.status).toBe(201);
    const { id } = JSON.parse(made.text) as { id: string };
    const session = String((await login(front, VIEWER, '127.0.0.7')).headers['set-cookie']).split(';')[0];
    await replicas[0].stop();
    for (let i = 0; i < 4; i++) {
      const live = await req(front, 'GET', '/api/clusters/local', { headers: { cookie: session }, from: '127.0.0.7' });
      expect(live.status).toBe(200);
      expect(servedBy(live)).toBe('r2');
      expect((JSON.parse(live.text) as ClusterState).members[0].status).toBe('up');
      expect((await req(front, 'GET', `/api/snapshots/${id}`, { headers: admin, from: '127.0.0.7' })).status).toBe(200);
    }
  });
});
