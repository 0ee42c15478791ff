// The snapshot API through its real route handlers, with a real runtime (engines polling
// members that don't answer) and a real SQLite store in a temp dir: access control, limits
// (413, 429), expiry and deletion (404), import validation (400), and the secrets grep: none of
// the config's secrets reach the stored bytes or the export.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as exportRoute from '@/app/api/snapshots/[id]/export/route';
import * as oneRoute from '@/app/api/snapshots/[id]/route';
import * as importRoute from '@/app/api/snapshots/import/route';
import * as listRoute from '@/app/api/snapshots/route';
import * as loginRoute from '@/app/api/auth/login/route';
import { synthSnapshot } from '@/dev/lib/snapshot-synth';
import { PEER_HEADER } from '@/lib/auth/client';
import { freePort } from '@/dev/lib/procs';
import { parseConfig } from '@/lib/config/load';
import { createRuntime, setRuntime, type Runtime } from '@/lib/engine/runtime';
import { loadSnapshotForPage } from '@/lib/snapshots/page';
import { storeRecord } from '@/lib/snapshots/service';
import { getStore, setStore } from '@/lib/store';
import { SQLITE_FILE } from '@/lib/store/sqlite';
import { SNAPSHOT_FILE_KIND, type SnapshotRecord } from '@/lib/store/types';
import type { Finding } from '@/lib/types';
import type { ClusterEngine } from '@/lib/engine/cluster';

const ADMIN = 'admin-token-Zq9!never-in-a-snapshot';
const ETCD_PW = 'etcd-password-Xk3#never-in-a-snapshot';
const PROM_TOKEN = 'prom-bearer-Wy7$never-in-a-snapshot';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-snapapi-'));
let keyFile: string;
let keyLine: string;
let ipSeq = 0;
const ip = () => `10.9.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`;

interface Setup {
  rt: Runtime;
  dataDir: string;
}

async function setup(
  name: string,
  opts: { auth?: boolean; maxBytes?: number; perMinute?: number } = {},
): Promise<Setup> {
  const dataDir = path.join(root, name, 'data');
  const closed = await freePort();
  const yaml = `
pollIntervalMs: 1000
timeoutMs: 300
prometheus:
  url: http://127.0.0.1:${closed}
  bearerTokenEnv: PROM_TOKEN
  backfill: false
snapshots:
  dataDir: ${dataDir}
  maxBytes: ${opts.maxBytes ?? 20_000_000}
  createPerMinute: ${opts.perMinute ?? 100}
${opts.auth === false ? '' : 'auth:\n  adminTokenEnv: FULCRUM_ADMIN_TOKEN\n'}
clusters:
  - name: prod
    endpoints:
      - { url: "https://127.0.0.1:${closed}", name: a, weight: 3 }
      - { url: "https://127.0.0.2:${closed}", name: b, weight: 1 }
      - { url: "https://127.0.0.3:${closed}", name: c, weight: 1 }
    tls: { ca: cert.pem, cert: cert.pem, key: key.pem }
    auth: { username: root, passwordEnv: ETCD_PW }
    balancer: { type: haproxy, runtimeApi: /run/haproxy/admin.sock, backend: etcd }
`;
  const file = path.join(root, 'fulcrum.yaml');
  const cfg = parseConfig(yaml, file, { ETCD_PW, PROM_TOKEN, FULCRUM_ADMIN_TOKEN: ADMIN });
  const prev = await getStore(cfg.snapshots).catch(() => null);
  await prev?.close();
  setStore(undefined);
  const rt = createRuntime(cfg);
  setRuntime(rt);
  const engine = rt.clusters.get('prod') as ClusterEngine;
  // Real polls against members that don't answer: frames, member-down events.
  for (let i = 0; i < 3; i++) await engine.tick();
  engine.findings = [finding(engine.state().updatedAt! - 1000)];
  return { rt, dataDir };
}

function finding(since: number, extra = ''): Finding {
  return {
    id: `f-${since}`,
    kind: 'member-down',
    cluster: 'prod',
    members: ['https://127.0.0.1'],
    severity: 'critical',
    since,
    title: 'a is down',
    summary: `no answer${extra}`,
    evidence: [{ label: 'polls failed', value: '3', threshold: '≥ 2' }],
    fixes: [{ title: 'restart', format: 'shell', body: 'systemctl restart etcd', why: 'it is down', risk: 'none' }],
    confidence: 0.9,
  };
}

function request(
  method: string,
  url: string,
  o: { token?: string | null; body?: unknown; headers?: Record<string, string>; ip?: string } = {},
): Request {
  const headers = new Headers(o.headers);
  // The client's address as the server stamps it (lib/http/guard.ts); X-Forwarded-For is not believed.
  headers.set(PEER_HEADER, o.ip ?? ip());
  headers.set('host', 'fulcrum.test');
  if (o.token) headers.set('authorization', `Bearer ${o.token}`);
  let body: BodyInit | undefined;
  if (typeof o.body === 'string' || o.body instanceof URLSearchParams) body = o.body;
  else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers.set('content-type', 'application/json');
  }
  return new Request(`http://fulcrum.test${url}`, { method, headers, body });
}

function mutate(text: string, fn: (r: SnapshotRecord) => void): string {
  const r = JSON.parse(text) as SnapshotRecord;
  fn(r);
  return JSON.stringify(r);
}

const params = (id: string) => ({ params: Promise.resolve({ id }) });

async function create(
  o: { token?: string | null; body?: Record<string, unknown>; ip?: string; headers?: Record<string, string> } = {},
) {
  const r = await listRoute.POST(
    request('POST', '/api/snapshots', {
      token: o.token === undefined ? ADMIN : o.token,
      body: { cluster: 'prod', ...o.body },
      ip: o.ip,
      headers: o.headers,
    }),
  );
  return {
    status: r.status,
    body: (await r.json()) as Record<string, unknown> & { id: string; deleteKey: string; error?: string },
    headers: r.headers,
  };
}

beforeAll(() => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-subj',
      '/CN=fulcrum-test',
      '-days',
      '1',
    ],
    {
      cwd: root,
      stdio: 'ignore',
    },
  );
  keyFile = path.join(root, 'key.pem');
  keyLine = fs.readFileSync(keyFile, 'utf8').split('\n')[1];
  expect(keyLine.length).toBeGreaterThan(40);
});

afterAll(async () => {
  const rt = (globalThis as Record<symbol, Runtime | undefined>)[Symbol.for('fulcrum.runtime')];
  await rt?.stop();
  setRuntime(undefined);
  const s = await getStore({
    dataDir: root,
    defaultExpiry: '1w',
    maxBytes: 1,
    createPerMinute: 1,
    databaseUrl: null,
  }).catch(() => null);
  await s?.close();
  setStore(undefined);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('snapshot API with access control', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup('auth');
  });

  it('creating needs write access: 401 without a token, 403 with a wrong one, 201 with it', async () => {
    const none = await create({ token: null });
    expect(none.status).toBe(401);
    expect(none.body.error).toMatch(/admin access needed/);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    const wrong = await create({ token: 'not-the-admin-token-at-all' });
    expect(wrong.status).toBe(403);
    expect(JSON.stringify(wrong.body)).not.toContain(ADMIN);
    const ok = await create({ body: { title: 'INC-1', note: 'a is down', expiry: '1d' } });
    expect(ok.status).toBe(201);
    expect(ok.body.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // No server.publicUrl: no absolute URL (never one made from request headers).
    expect(ok.body.url).toBeNull();
    expect(ok.body.path).toBe(`/s/${ok.body.id}`);
    expect(ok.body.deleteKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((ok.body.expiresAt as number) - (ok.body.createdAt as number)).toBe(86_400_000);
  });

  it('listing needs write access', async () => {
    const made = await create();
    expect((await listRoute.GET(request('GET', '/api/snapshots'))).status).toBe(401);
    const r = await listRoute.GET(request('GET', '/api/snapshots', { token: ADMIN }));
    expect(r.status).toBe(200);
    const body = (await r.json()) as { snapshots: Array<{ id: string; path: string }> };
    expect(body.snapshots.map((x) => x.id)).toContain(made.body.id);
    expect(JSON.stringify(body)).not.toMatch(/deleteKey|delete_key/);
  });

  it('viewing needs only the link: the record and the export, no credentials', async () => {
    const made = await create({ body: { title: 'view me' } });
    const r = await oneRoute.GET(request('GET', `/api/snapshots/${made.body.id}`), params(made.body.id));
    expect(r.status).toBe(200);
    const rec = (await r.json()) as SnapshotRecord;
    expect(rec.title).toBe('view me');
    expect(rec.state.members.map((m) => m.name)).toEqual(['a', 'b', 'c']);
    expect(rec.state.frames.length).toBeGreaterThanOrEqual(3);
    expect(rec.state.findings.map((f) => f.id)).toHaveLength(1);
    const e = await exportRoute.GET(request('GET', `/api/snapshots/${made.body.id}/export`), params(made.body.id));
    expect(e.status).toBe(200);
    expect(e.headers.get('content-disposition')).toMatch(/^attachment; filename="fulcrum-snapshot-prod-/);
    const file = (await e.json()) as SnapshotRecord & { kind: string };
    expect(file.kind).toBe(SNAPSHOT_FILE_KIND);
    expect(file.schemaVersion).toBe(1);
    const page = await loadSnapshotForPage(made.body.id);
    expect(page?.record.id).toBe(made.body.id);
    expect(page?.liveExists).toBe(true);
  });

  it('the login form sets a cookie that grants write access and names the creator', async () => {
    const bad = await loginRoute.POST(
      request('POST', '/api/auth/login', {
        body: new URLSearchParams({ token: 'wrong-token-wrong-token', next: '/clusters/prod' }),
      }),
    );
    expect(bad.status).toBe(303);
    expect(bad.headers.get('location')).toBe('/login?error=wrong&next=%2Fclusters%2Fprod');
    expect(bad.headers.get('set-cookie')).toBeNull();
    for (const next of ['//evil.example', '/\\evil.example', '/\t/evil.example', 'https://evil.example']) {
      const evil = await loginRoute.POST(
        request('POST', '/api/auth/login', { body: new URLSearchParams({ token: ADMIN, name: 'x', next }) }),
      );
      expect(evil.status, next).toBe(400);
      expect(evil.headers.get('set-cookie')).toBeNull();
    }
    const good = await loginRoute.POST(
      request('POST', '/api/auth/login', {
        body: new URLSearchParams({ token: ADMIN, name: 'Alice SRE', next: '/clusters/prod' }),
      }),
    );
    expect(good.status).toBe(303);
    expect(good.headers.get('location')).toBe('/clusters/prod');
    const setCookie = good.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^fulcrum_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
    expect(setCookie).not.toContain(ADMIN);
    const cookie = setCookie.split(';')[0];
    const made = await create({ token: null, headers: { cookie } });
    expect(made.status).toBe(201);
    expect(made.body.createdBy).toBe('Alice SRE');
    const tampered = `${cookie.slice(0, -2)}${cookie.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await create({ token: null, headers: { cookie: tampered } })).status).toBe(403);
    const cross = await create({ token: null, headers: { cookie, origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    expect(cross.body.error).toMatch(/cross-site/);
  });

  it('deleting: the delete key alone, or an admin; then the snapshot is gone (404)', async () => {
    const byKey = await create();
    const anon = (key: string) =>
      oneRoute.DELETE(
        request('DELETE', `/api/snapshots/${byKey.body.id}`, { headers: { 'x-delete-key': key } }),
        params(byKey.body.id),
      );
    expect((await anon('A'.repeat(43))).status).toBe(403);
    expect((await anon(byKey.body.deleteKey)).status).toBe(200);
    const made = await create();
    const id = made.body.id;
    const del = await oneRoute.DELETE(request('DELETE', `/api/snapshots/${id}`, { token: ADMIN }), params(id));
    expect(del.status).toBe(200);
    expect((await oneRoute.GET(request('GET', `/api/snapshots/${id}`), params(id))).status).toBe(404);
    expect((await exportRoute.GET(request('GET', `/api/snapshots/${id}/export`), params(id))).status).toBe(404);
    expect(await loadSnapshotForPage(id)).toBeNull();
    expect(
      (await oneRoute.DELETE(request('DELETE', `/api/snapshots/${id}`, { token: ADMIN }), params(id))).status,
    ).toBe(404);
    expect((await oneRoute.GET(request('GET', '/api/snapshots/not-an-id'), params('not-an-id'))).status).toBe(404);
  });

  it('expired snapshots are gone: 404, not listed, no page', async () => {
    const store = await getStore(s.rt.config.snapshots);
    const rec = { ...synthSnapshot({ seconds: 30 }), expiresAt: Date.now() - 1 };
    await storeRecord(store, rec, 50_000_000);
    expect((await oneRoute.GET(request('GET', `/api/snapshots/${rec.id}`), params(rec.id))).status).toBe(404);
    expect(await loadSnapshotForPage(rec.id)).toBeNull();
    const list = (await (await listRoute.GET(request('GET', '/api/snapshots', { token: ADMIN }))).json()) as {
      snapshots: Array<{ id: string }>;
    };
    expect(list.snapshots.map((x) => x.id)).not.toContain(rec.id);
  });

  it('a dry run says what will be included and stores nothing', async () => {
    const store = await getStore(s.rt.config.snapshots);
    const before = (await store.list(Date.now())).length;
    const r = await create({ body: { dryRun: true, rangeMs: 300_000 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ cluster: 'prod', findings: 1, logs: 'no-log-sources' });
    expect((r.body.members as unknown[]).length).toBe(3);
    expect(r.body.frames as number).toBeGreaterThanOrEqual(3);
    expect((r.body.window as { to: number; from: number }).to - (r.body.window as { from: number }).from).toBe(300_000);
    expect((await store.list(Date.now())).length).toBe(before);
  });

  it('bad requests get clear 400s', async () => {
    expect((await create({ body: { from: 2_000, to: 1_000 } })).body.error).toMatch(/"from" must be before "to"/);
    expect((await create({ body: { expiry: '2w' } })).body.error).toMatch(/expiry: one of 1h, 1d, 1w, never/);
    expect((await create({ body: { cluster: 'nope' } })).status).toBe(404);
    expect((await create({ body: { bogus: 1 } })).status).toBe(400);
  });

  it('imports need write access; bad files get a 400 naming the problem', async () => {
    const imp = (body: string, token: string | null = ADMIN) =>
      importRoute.POST(
        request('POST', '/api/snapshots/import', { token, body, headers: { 'content-type': 'application/json' } }),
      );
    const good = JSON.stringify({ kind: SNAPSHOT_FILE_KIND, exportedAt: 1, ...synthSnapshot({ seconds: 60 }) });
    expect((await imp(good, null)).status).toBe(401);
    const cases: Array<[string, RegExp]> = [
      ['{not json', /not valid JSON/],
      ['[1,2]', /expected a JSON object/],
      [JSON.stringify({ schemaVersion: 1 }), /"kind" must be "fulcrum-snapshot"/],
      [
        good.replace('"schemaVersion":1', '"schemaVersion":2'),
        /schemaVersion 2 is newer than this Fulcrum reads \(1\)/,
      ],
      [good.replace('"schemaVersion":1', '"schemaVersion":"one"'), /unsupported snapshot schemaVersion "one"/],
      [
        mutate(good, (r) => delete (r.state.members[0] as Partial<SnapshotRecord['state']['members'][0]>).name),
        /state\.members\[0\]\.name: Invalid input: expected string, received undefined/,
      ],
      [good.replace('"status":"up"', '"status":"sideways"'), /state\.members\[0\]\.status/],
    ];
    for (const [body, re] of cases) {
      const r = await imp(body);
      expect(r.status, body.slice(0, 40)).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(re);
    }
    const rec = JSON.parse(good) as SnapshotRecord;
    rec.state.frames[5].values.requests.pop();
    const r = await imp(JSON.stringify(rec));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(
      /state\.frames\[5\]\.values\.requests: has 2 entries for 3 members/,
    );
    const ok = await imp(good);
    expect(ok.status).toBe(201);
    const made = (await ok.json()) as { id: string; originalId: string };
    expect(made.id).not.toBe(made.originalId);
  });
});

describe('snapshot API limits and open access', () => {
  it('413 past snapshots.maxBytes, for creation and for imports', async () => {
    const s = await setup('small', { maxBytes: 65_536 });
    const engine = s.rt.clusters.get('prod')!;
    engine.findings = [0, 1, 2, 3, 4].map((i) => finding(Date.now() - 1000 - i, ` ${'x'.repeat(15_000)}`));
    const r = await create();
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(
      /snapshot too large: 0\.\d MB is over the limit of 65\.5 KB \(65536 bytes\), set by snapshots\.maxBytes; pick a shorter window/,
    );
    const big = JSON.stringify({ kind: SNAPSHOT_FILE_KIND, exportedAt: 1, ...synthSnapshot({ seconds: 300 }) });
    const imp = await importRoute.POST(
      request('POST', '/api/snapshots/import', {
        token: ADMIN,
        body: big,
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(imp.status).toBe(413);
  });

  it('429 past the per-client creation rate, with Retry-After; other clients are not affected', async () => {
    await setup('rate', { perMinute: 3 });
    const me = '192.0.2.7';
    for (let i = 0; i < 3; i++) expect((await create({ ip: me })).status).toBe(201);
    const fourth = await create({ ip: me });
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(fourth.body.error).toMatch(/at most 3 per minute per client/);
    expect((await create({ ip: '192.0.2.8' })).status).toBe(201);
  });

  it('without an admin token anyone may create; deleting then needs the delete key', async () => {
    await setup('open', { auth: false });
    const made = await create({ token: null });
    expect(made.status).toBe(201);
    const id = made.body.id;
    const del = (key?: string) =>
      oneRoute.DELETE(
        request('DELETE', `/api/snapshots/${id}`, { headers: key ? { 'x-delete-key': key } : {} }),
        params(id),
      );
    expect((await del()).status).toBe(403);
    expect((await del('A'.repeat(43))).status).toBe(403);
    expect((await oneRoute.GET(request('GET', `/api/snapshots/${id}`), params(id))).status).toBe(200);
    expect((await del(made.body.deleteKey)).status).toBe(200);
    expect((await oneRoute.GET(request('GET', `/api/snapshots/${id}`), params(id))).status).toBe(404);
  });
});

describe('secrets never enter a snapshot', () => {
  it('grep the stored bytes (decompressed) and the export for every secret', async () => {
    const s = await setup('secrets');
    // Free text that echoes secrets (a careless detector, a logged header): scrubbed on the way in.
    const leaky = finding(Date.now() - 500);
    leaky.evidence.push({ label: 'dial', value: `https://root:${ETCD_PW}@10.0.0.1:2379 password=${ETCD_PW}` });
    leaky.fixes[0].body = `curl -H 'Authorization: Bearer ${PROM_TOKEN}' http://prometheus/ # key ${keyLine}`;
    s.rt.clusters.get('prod')!.findings.push(leaky);
    const made = await create({ body: { title: 'secrets check' } });
    expect(made.status).toBe(201);
    const id = made.body.id;
    const exp = await (await exportRoute.GET(request('GET', `/api/snapshots/${id}/export`), params(id))).text();
    await (await getStore(s.rt.config.snapshots)).close();
    setStore(undefined);
    const dbFile = path.join(s.dataDir, SQLITE_FILE);
    const db = new Database(dbFile, { readonly: true });
    const rows = db
      .prepare('SELECT s.*, b.body FROM fulcrum_snapshots s JOIN fulcrum_snapshot_bodies b ON b.id = s.id')
      .all() as Array<Record<string, unknown> & { body: Buffer }>;
    db.close();
    expect(rows).toHaveLength(1);
    const stored = gunzipSync(rows[0].body).toString('utf8');
    const metadata = JSON.stringify(rows.map(({ body: _b, ...m }) => m));
    const files = fs
      .readdirSync(s.dataDir)
      .map((f) => fs.readFileSync(path.join(s.dataDir, f)).toString('latin1'))
      .join('\n');
    const secrets = [
      ETCD_PW,
      PROM_TOKEN,
      ADMIN,
      keyLine,
      keyFile,
      path.join(root, 'cert.pem'),
      'PRIVATE KEY',
      'BEGIN CERTIFICATE',
      'ETCD_PW',
      'PROM_TOKEN',
      'FULCRUM_ADMIN_TOKEN',
    ];
    // Sanity: the haystacks are the real thing.
    expect(stored).toContain('"schemaVersion":1');
    expect(stored).toContain('secrets check');
    expect(stored).toContain('Authorization: [redacted]');
    expect(stored).toContain(`https://root:[redacted]@10.0.0.1:2379 password=[redacted]`);
    expect(exp).toContain(id);
    for (const secret of secrets) {
      expect(stored, `stored record contains ${secret}`).not.toContain(secret);
      expect(exp, `export contains ${secret}`).not.toContain(secret);
      expect(metadata, `metadata columns contain ${secret}`).not.toContain(secret);
      expect(files, `data dir files contain ${secret}`).not.toContain(secret);
    }
    const rec = JSON.parse(stored) as SnapshotRecord;
    expect(rec.cluster).toEqual({
      name: 'prod',
      endpoints: rec.state.members.map((m, i) => ({ url: m.endpoint, name: m.name, weight: [3, 1, 1][i] })),
      weighted: true,
      tls: true,
      clientCert: true,
      auth: true,
      balancer: { type: 'haproxy', backend: 'etcd' },
      logs: false,
    });
  });
});
