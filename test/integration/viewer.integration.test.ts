// Read-only viewers against a production build (issue 9, "no admin login on a kiosk"): a viewer
// token and a wall link's session each open /wall, /, the cluster page and both streams, and get
// 403 from every route that writes (one test per route, the list read from app/**/route.ts).
// Without a credential the pages send the browser to /login and the API answers 401.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FulcrumServer, startFulcrum } from '@/dev/lib/fulcrum';
import { freePort } from '@/dev/lib/procs';
import { appRoutes } from '@/dev/lib/routes';

const ADMIN = 'admin-token-viewer-test-0123';
const VIEWER = 'viewer-token-viewer-test-0123';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-viewer-'));
let f: FulcrumServer;
let snapshotId = '';
let wallLinkId = '';
let wallCookie = '';

const admin = { authorization: `Bearer ${ADMIN}` };

async function call(method: string, p: string, headers: Record<string, string> = {}, body?: string) {
  const r = await fetch(`${f.url}${p}`, { method, headers, body, redirect: 'manual' });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

/** The first SSE event's name on a stream, then the stream is closed. */
function firstEvent(p: string, headers: Record<string, string>): Promise<{ status: number; event: string | null }> {
  const u = new URL(f.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: p, headers, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve({ status: res.statusCode ?? 0, event: null });
        return;
      }
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        const m = /^event: (\S+)$/m.exec(buf);
        if (m) {
          resolve({ status: 200, event: m[1] });
          req.destroy();
        }
      });
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error(`no event on ${p} within 20 s`)));
    req.end();
  });
}

beforeAll(async () => {
  const closed = await freePort();
  const config = path.join(root, 'fulcrum.yaml');
  fs.writeFileSync(
    config,
    `pollIntervalMs: 1000
timeoutMs: 300
snapshots: { dataDir: ${path.join(root, 'data')} }
auth:
  adminTokenEnv: FULCRUM_ADMIN_TOKEN
  viewerTokensEnv: FULCRUM_VIEWER_TOKENS
clusters:
  - name: prod
    endpoints: ["http://127.0.0.1:${closed}"]
`,
  );
  f = await startFulcrum(config, root, {
    FULCRUM_ADMIN_TOKEN: ADMIN,
    FULCRUM_VIEWER_TOKENS: `${VIEWER},other-viewer-token-000000`,
  });
  const made = await call(
    'POST',
    '/api/snapshots',
    { ...admin, 'content-type': 'application/json' },
    JSON.stringify({ cluster: 'prod', rangeMs: 60_000 }),
  );
  expect(made.status).toBe(201);
  snapshotId = (JSON.parse(made.text) as { id: string }).id;
  const link = await call(
    'POST',
    '/api/wall-links',
    { ...admin, 'content-type': 'application/json' },
    JSON.stringify({ name: 'NOC wall', path: '/wall?rotate=20s', expiry: '1d' }),
  );
  expect(link.status).toBe(201);
  const l = JSON.parse(link.text) as { id: string; linkPath: string; url: string | null };
  wallLinkId = l.id;
  expect(l.url).toBeNull(); // no server.publicUrl configured: the link is a path
  const opened = await call('GET', l.linkPath);
  expect(opened.status).toBe(303);
  expect(opened.headers.get('location')).toBe('/wall?rotate=20s');
  wallCookie = String(opened.headers.get('set-cookie')).split(';')[0];
  expect(wallCookie).toMatch(/^fulcrum_session=[A-Za-z0-9_-]{43}$/);
}, 120_000);

afterAll(async () => {
  await f?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

/** A concrete request for each route that writes; a write route missing here fails the coverage test. */
function writeRequests(): Record<string, { path: string; body?: string; type?: string }> {
  const json = 'application/json';
  return {
    'POST /api/snapshots': { path: '/api/snapshots', type: json, body: JSON.stringify({ cluster: 'prod' }) },
    'GET /api/snapshots': { path: '/api/snapshots' },
    'POST /api/snapshots/import': { path: '/api/snapshots/import', type: json, body: '{}' },
    'DELETE /api/snapshots/[id]': { path: `/api/snapshots/${snapshotId}` },
    'GET /api/wall-links': { path: '/api/wall-links' },
    'POST /api/wall-links': { path: '/api/wall-links', type: json, body: JSON.stringify({ name: 'mine' }) },
    'DELETE /api/wall-links/[id]': { path: `/api/wall-links/${wallLinkId}` },
    'POST /api/demo/faults/[name]': { path: '/api/demo/faults/kill-member?member=0' },
    'DELETE /api/demo/faults/[name]': { path: '/api/demo/faults/kill-member' },
  };
}

const WRITES = appRoutes()
  .filter((r) => r.need === 'write' || (r.method !== 'GET' && r.pattern.startsWith('/api/snapshots/')))
  .map((r) => `${r.method} ${r.pattern}`);

const CREDENTIALS: Array<[string, () => Record<string, string>]> = [
  ['a viewer token', () => ({ authorization: `Bearer ${VIEWER}` })],
  ['a wall link session', () => ({ cookie: wallCookie })],
];

describe.each(CREDENTIALS)('a viewer with %s', (_name, creds) => {
  it.each(['/wall?rotate=20s', '/', '/clusters/prod'])('opens %s', async (p) => {
    const r = await call('GET', p, creds());
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toMatch(/'nonce-/);
  });

  it('opens the fleet stream and the cluster stream', async () => {
    expect(await firstEvent('/api/fleet/stream', creds())).toEqual({ status: 200, event: 'fleet' });
    expect(await firstEvent('/api/clusters/prod/stream', creds())).toEqual({ status: 200, event: 'state' });
    expect((await call('GET', '/api/fleet', creds())).status).toBe(200);
  });

  it('every route that writes is in the list below', () => {
    expect(Object.keys(writeRequests()).sort()).toEqual([...WRITES].sort());
  });

  it.each(WRITES)('gets 403 from %s', async (route) => {
    const method = route.split(' ')[0];
    const w = writeRequests()[route];
    const r = await call(
      method,
      w.path,
      { ...creds(), origin: f.url, ...(w.type ? { 'content-type': w.type } : {}) },
      w.body,
    );
    expect(r.status, r.text).toBe(403);
  });
});

describe('without a credential', () => {
  it('pages send the browser to /login, the API answers 401, streams too', async () => {
    const page = await call('GET', '/wall?rotate=20s');
    expect(page.status).toBe(307);
    expect(page.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/wall?rotate=20s')}`);
    expect((await call('GET', '/api/fleet')).status).toBe(401);
    expect((await firstEvent('/api/fleet/stream', {})).status).toBe(401);
    expect((await call('GET', '/login')).status).toBe(200);
    expect((await call('GET', `/s/${snapshotId}`)).status).toBe(200); // a snapshot's link is enough
  });

  it('revoking the wall link signs its kiosks out', async () => {
    const before = await call('GET', '/api/wall-links', admin);
    expect((JSON.parse(before.text) as { links: Array<{ id: string; sessions: number }> }).links).toEqual([
      expect.objectContaining({ id: wallLinkId, sessions: 1 }),
    ]);
    expect((await call('DELETE', `/api/wall-links/${wallLinkId}`, admin)).status).toBe(200);
    expect((await call('GET', '/api/fleet', { cookie: wallCookie })).status).toBe(403);
    expect((await call('GET', '/wall', { cookie: wallCookie })).status).toBe(403);
  });
});
