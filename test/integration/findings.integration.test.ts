// The eight findings of the attack on Fulcrum (issue 11), each replayed black-box over HTTP
// against a production server (`next start` on the current build), the way it was found. The
// config uses only keys every version knows, so the same file runs against an older build
// (FULCRUM_FINDINGS_CWD=<a checkout with a build>) to show the findings there.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FulcrumServer, startFulcrum } from '@/dev/lib/fulcrum';
import { freePort } from '@/dev/lib/procs';
import { synthSnapshot } from '@/dev/lib/snapshot-synth';
import { type RawAnswer, rawRequest } from './helpers';

const ADMIN = 'admin-token-Zq9-findings-0123';
const ETCD_PW = 'etcd-password-Xk3-findings';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-findings-'));
const dataDir = path.join(root, 'data');
const memberLog = path.join(root, 'logs', 'member-a.log');
const missingLog = path.join(root, 'logs', 'no-such-balancer.log');
let f: FulcrumServer;

type Answer = RawAnswer;

/** One HTTP request to the server under test (rawRequest). */
function req(
  method: string,
  p: string,
  o: { headers?: Record<string, string>; body?: string | Buffer; from?: string } = {},
): Promise<Answer> {
  return rawRequest(f.url, method, p, o);
}

/** Opens an SSE stream and keeps it open; resolves with the status once headers arrive. */
function openStream(p: string, from: string): Promise<{ status: number; close: () => void }> {
  const u = new URL(f.url);
  return new Promise((resolve, reject) => {
    const r = http.request({ host: u.hostname, port: u.port, path: p, localAddress: from, agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, close: () => r.destroy() });
    });
    r.on('error', reject);
    r.end();
  });
}

const form = (o: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(o).toString(),
});
const bearer = { authorization: `Bearer ${ADMIN}` };

/** Where a browser goes for this Location: tabs and newlines dropped, "\" read as "/" (WHATWG URL). */
function browserTarget(location: string): URL {
  return new URL(location.replace(/[\t\n\r]/g, '').replace(/\\/g, '/'), f.url);
}

async function createSnapshot(from: string, headers: Record<string, string> = {}): Promise<Answer> {
  return req('POST', '/api/snapshots', {
    from,
    headers: { ...bearer, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ cluster: 'prod', rangeMs: 60_000 }),
  });
}

beforeAll(async () => {
  const closed = await freePort();
  // The data dir exists already with the usual 0755 (made by an installer, say).
  fs.mkdirSync(dataDir, { mode: 0o755 });
  fs.chmodSync(dataDir, 0o755);
  fs.mkdirSync(path.dirname(memberLog));
  const t = new Date().toISOString();
  fs.writeFileSync(
    memberLog,
    [
      `{"level":"warn","ts":"${t}","msg":"auth failed","password":"${ETCD_PW}"}`,
      `{"level":"warn","ts":"${t}","msg":"client sent Authorization: Bearer ${ADMIN} to a follower"}`,
    ]
      .map((l) => `${l}\n`)
      .join(''),
  );
  const config = path.join(root, 'fulcrum.yaml');
  fs.writeFileSync(
    config,
    `pollIntervalMs: 1000
timeoutMs: 300
maxSubscribers: 30
snapshots:
  dataDir: ${dataDir}
  createPerMinute: 3
auth:
  adminTokenEnv: FULCRUM_ADMIN_TOKEN
clusters:
  - name: prod
    endpoints:
      - { url: "http://127.0.0.1:${closed}", name: a }
    auth: { username: root, passwordEnv: ETCD_PW }
    logs:
      members: { a: ${memberLog} }
      balancer: ${missingLog}
`,
  );
  f = await startFulcrum(
    config,
    root,
    { FULCRUM_ADMIN_TOKEN: ADMIN, ETCD_PW },
    { cwd: process.env.FULCRUM_FINDINGS_CWD },
  );
}, 120_000);

afterAll(async () => {
  await f?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the findings of the attack, replayed', () => {
  it('finding 1: a chunked 300 MB multipart import is refused early, memory stays bounded', async () => {
    const before = f.rssBytes();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, f.rssBytes());
    }, 100);
    const u = new URL(f.url);
    const boundary = 'fulcrum-findings';
    const chunk = Buffer.alloc(1 << 20, 0x61);
    let sentMb = 0;
    const t0 = Date.now();
    const status = await new Promise<number>((resolve) => {
      const r = http.request(
        {
          host: u.hostname,
          port: u.port,
          localAddress: '127.0.0.13',
          path: '/api/snapshots/import',
          method: 'POST',
          agent: false,
          headers: {
            ...bearer,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'transfer-encoding': 'chunked',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          r.destroy();
        },
      );
      r.on('error', () => resolve(-1));
      r.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.json"\r\n\r\n`);
      const pump = () => {
        while (sentMb < 300) {
          sentMb++;
          if (!r.write(chunk)) return void r.once('drain', pump);
        }
        r.end(`\r\n--${boundary}--\r\n`);
      };
      pump();
    });
    clearInterval(sampler);
    peak = Math.max(peak, f.rssBytes());
    console.log(
      `finding 1: ${status} after ${Date.now() - t0} ms, ${sentMb} MB sent, RSS +${Math.round((peak - before) / 1e6)} MB`,
    );
    expect(status).toBe(413);
    // Refused while the upload was still going: far from all 300 MB were sent.
    expect(sentMb).toBeLessThan(150);
    // The limit is 20 MB: the server holds at most about that, not the upload.
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
  });

  it('finding 2: login/logout redirect only on this site, logout checks Origin, CR/LF is a 400 not a 500', async () => {
    // A wrong token sends the browser back to the form: wherever it goes must be this site.
    for (const next of ['/\t/evil.example', '/\\evil.example', '/%09/evil.example']) {
      const login = await req('POST', '/api/auth/login', form({ token: ADMIN, next }));
      if (login.status === 303) expect(browserTarget(String(login.headers.location)).origin, next).toBe(f.url);
      else expect(login.status, next).toBe(400);
    }
    const out = await req('POST', '/api/auth/logout', form({ next: '/\\evil.example' }));
    if (out.status === 303) expect(browserTarget(String(out.headers.location)).origin).toBe(f.url);
    else expect(out.status).toBe(400);
    // A cross-site form may not log anyone out.
    const cross = await req('POST', '/api/auth/logout', {
      ...form({ next: '/' }),
      headers: { ...form({}).headers, origin: 'https://evil.example' },
    });
    expect(cross.status).toBe(403);
    const marker = 'INJECTED-LOG-LINE-7f3a';
    const crlf = await req('POST', '/api/auth/login', form({ token: 'x', next: `/a\r\n${marker}` }));
    expect(crlf.status).toBe(400);
    expect(fs.readFileSync(f.logFile, 'utf8')).not.toContain(marker);
  });

  it('finding 3: X-Forwarded-For from anyone is not believed (login lockout, snapshot limit, locking out others)', async () => {
    // Snapshots: 3 a minute per client, whatever X-Forwarded-For says.
    const codes: number[] = [];
    for (let i = 0; i < 5; i++)
      codes.push((await createSnapshot('127.0.0.9', { 'x-forwarded-for': `198.51.100.${i}` })).status);
    expect(codes.slice(0, 3)).toEqual([201, 201, 201]);
    expect(codes.slice(3)).toEqual([429, 429]);
    // An attacker at 127.0.0.2 tries to lock out 127.0.0.1 by naming it.
    for (let i = 0; i < 12; i++)
      await req('POST', '/api/auth/login', {
        ...form({ token: `wrong-${i}`, next: '/' }),
        from: '127.0.0.2',
        headers: { ...form({}).headers, 'x-forwarded-for': '127.0.0.1' },
      });
    const victim = await req('POST', '/api/auth/login', { ...form({ token: ADMIN, next: '/' }), from: '127.0.0.1' });
    expect(victim.headers.location).toBe('/');
    // And rotating X-Forwarded-For does not dodge the attacker's own lockout.
    const errors: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await req('POST', '/api/auth/login', {
        ...form({ token: `wrong-${i}`, next: '/' }),
        from: '127.0.0.3',
        headers: { ...form({}).headers, 'x-forwarded-for': `203.0.113.${i}` },
      });
      errors.push(new URL(String(r.headers.location), f.url).searchParams.get('error') ?? '');
    }
    expect(errors.filter((e) => e === 'wrong')).toHaveLength(10);
    expect(errors.slice(10).every((e) => e === 'too-many')).toBe(true);
  });

  it('finding 4: one client cannot take every stream slot of a cluster', async () => {
    const mine = await Promise.all(
      Array.from({ length: 30 }, () => openStream('/api/clusters/prod/stream', '127.0.0.4')),
    );
    const other = await openStream('/api/clusters/prod/stream', '127.0.0.5');
    try {
      expect(mine.filter((s) => s.status === 200).length).toBeLessThan(30);
      expect(other.status).toBe(200);
    } finally {
      for (const s of [...mine, other]) s.close();
    }
    // Every stream ends on the server once its client has gone (over real connections: the
    // in-process scale test aborts Requests, this is what a browser leaving does).
    const open = async () =>
      Number(/fulcrum_stream_subscribers\{cluster="prod"\} (\d+)/.exec((await req('GET', '/api/metrics')).text)?.[1]);
    const deadline = Date.now() + 20_000;
    while ((await open()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await open()).toBe(0);
  });

  it('finding 5: the logs API serves no secrets and names no files to a non-admin', async () => {
    const now = Date.now();
    const r = await req('GET', `/api/clusters/prod/members/a/logs?from=${now - 3600_000}&to=${now + 60_000}`);
    expect(r.status).toBe(200);
    const body = JSON.parse(r.text) as { lines: unknown[]; errors: unknown[] };
    expect(body.lines.length).toBe(2);
    expect(r.text.includes(ETCD_PW), 'the answer carries it').toBe(false);
    expect(r.text.includes(ADMIN), 'the answer carries it').toBe(false);
    expect(body.errors.length).toBeGreaterThan(0);
    expect(r.text.includes(root), 'the answer carries it').toBe(false);
  });

  it('finding 6: imports are scrubbed and their cluster name checked; export never 500s', async () => {
    const rec = synthSnapshot({ seconds: 60 });
    rec.state.members[0].error = `dial failed: password=${ETCD_PW}`;
    rec.note = `the admin token is ${ADMIN}`;
    const file = (r: typeof rec) => JSON.stringify({ ...r, kind: 'fulcrum-snapshot', exportedAt: Date.now() });
    const ok = await req('POST', '/api/snapshots/import', {
      from: '127.0.0.10',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: file(rec),
    });
    expect(ok.status).toBe(201);
    const id = (JSON.parse(ok.text) as { id: string }).id;
    const exp = await req('GET', `/api/snapshots/${id}/export`);
    expect(exp.status).toBe(200);
    expect(exp.text.includes(ETCD_PW), 'the answer carries it').toBe(false);
    expect(exp.text.includes(ADMIN), 'the answer carries it').toBe(false);
    for (const name of ['evil"\r\nX-Injected: 1', 'prød-ÿ-猫', 'a; filename="x.exe"']) {
      const bad = structuredClone(rec);
      bad.cluster.name = name;
      bad.state.name = name;
      const r = await req('POST', '/api/snapshots/import', {
        from: '127.0.0.11',
        headers: { ...bearer, 'content-type': 'application/json' },
        body: file(bad),
      });
      if (r.status === 201) {
        // Stored anyway: then its export must still work and name a safe file.
        const e = await req('GET', `/api/snapshots/${(JSON.parse(r.text) as { id: string }).id}/export`);
        expect(e.status, name).toBe(200);
        expect(String(e.headers['content-disposition'])).not.toMatch(/[\r\n]|x\.exe"/);
      } else expect(r.status, name).toBe(400);
    }
  });

  it('finding 7: security headers on pages and API answers; links never follow X-Forwarded-Host', async () => {
    const page = await req('GET', '/login');
    const csp = String(page.headers['content-security-policy'] ?? '');
    expect(csp).toMatch(/script-src [^;]*'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/script-src [^;]*'unsafe-inline'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(page.text).toContain(`nonce="${nonce}"`);
    for (const r of [page, await req('GET', '/api/clusters'), await req('GET', '/api/health')]) {
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('same-origin');
    }
    const made = await createSnapshot('127.0.0.12', {
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
    });
    expect(made.status).toBe(201);
    expect(made.text.includes('evil.example'), 'the answer carries it').toBe(false);
  });

  it('finding 8: logout revokes, the delete key alone deletes, honest 413s, a private database, bad escapes are 400', async () => {
    // Sessions are revocable: the cookie from before logout no longer works.
    const login = await req('POST', '/api/auth/login', { ...form({ token: ADMIN, next: '/' }), from: '127.0.0.6' });
    const cookie = String((login.headers['set-cookie'] ?? [])[0]).split(';')[0];
    expect(cookie).toMatch(/^fulcrum_session=./);
    const list = () => req('GET', '/api/snapshots', { headers: { cookie } });
    expect((await list()).status).toBe(200);
    const out = await req('POST', '/api/auth/logout', {
      ...form({ next: '/' }),
      headers: { ...form({}).headers, cookie, origin: f.url },
    });
    expect(out.status).toBe(303);
    expect((await list()).status).toBe(403);
    // The delete key alone deletes, as the README says (from a client that may still create).
    const made = await req('POST', '/api/snapshots', {
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ cluster: 'prod', rangeMs: 60_000 }),
      from: '127.0.0.7',
    });
    expect(made.status).toBe(201);
    const { id, deleteKey } = JSON.parse(made.text) as { id: string; deleteKey: string };
    expect((await req('DELETE', `/api/snapshots/${id}`, { headers: { 'x-delete-key': deleteKey } })).status).toBe(200);
    // The create body's limit is a fixed 64 KiB, and the 413 says so.
    const big = await req('POST', '/api/snapshots', {
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ cluster: 'prod', note: 'x'.repeat(100_000) }),
      from: '127.0.0.8',
    });
    expect(big.status).toBe(413);
    expect(big.text).toContain('65536');
    expect(big.text.includes('snapshots.maxBytes'), 'the answer carries it').toBe(false);
    // The data dir was 0755 before Fulcrum started.
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    for (const file of fs.readdirSync(dataDir))
      expect(fs.statSync(path.join(dataDir, file)).mode & 0o077, file).toBe(0);
    for (const p of ['/api/clusters/%E0%A4%A', '/clusters/%ZZ', '/api/snapshots/%C3%28'])
      expect((await req('GET', p)).status, p).toBe(400);
  });
});
