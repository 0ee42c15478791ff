// Path safety of the logs API: no parameter can name a file or a URL. Calls the real route
// handler with a runtime whose config points at a temp dir; a secret file sits next to the logs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/clusters/[name]/members/[member]/logs/route';
import { parseConfig } from '../config/load';
import { createRuntime, setRuntime, type Runtime } from '../engine/runtime';
import { encodeCursor } from './cursor';
import { zapLine } from './testkit';

const T0 = Date.UTC(2024, 10, 25, 10, 0, 0);
const SECRET = 'TOP-SECRET-CONTENT-41b7';
let dir: string;
let rt: Runtime;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-logs-api-'));
  fs.mkdirSync(path.join(dir, 'logs'));
  fs.writeFileSync(
    path.join(dir, 'logs', 'etcd-1.log'),
    [zapLine(T0, 'hello from etcd-1'), zapLine(T0 + 1000, 'slow fdatasync', 'warn'), ''].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'secret.txt'), `${SECRET}\n`);
  fs.writeFileSync(path.join(dir, 'logs', 'secret.log'), `${zapLine(T0, SECRET)}\n`);
  const text = YAML.stringify({
    clusters: [
      {
        name: 'local',
        endpoints: [
          { url: 'http://127.0.0.1:23790', name: 'etcd-1' },
          { url: 'http://127.0.0.1:23791', name: 'etcd-2' },
        ],
        logs: { members: { 'etcd-1': 'logs/etcd-1.log' }, timezone: 'UTC' },
      },
    ],
  });
  rt = createRuntime(parseConfig(text, path.join(dir, 'fulcrum.yaml'), {}));
  setRuntime(rt);
});

afterAll(async () => {
  setRuntime(undefined);
  await rt.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call(
  name: string,
  member: string,
  qs: string,
): Promise<{ status: number; text: string; body: Record<string, unknown> }> {
  const res = await GET(new Request(`http://fulcrum.test/api/clusters/x/members/y/logs?${qs}`), {
    params: Promise.resolve({ name, member }),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
}

const W = `from=${T0 - 60_000}&to=${T0 + 60_000}`;
const passwd = fs.existsSync('/etc/passwd') ? fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0] : 'root:x:0:0';

function noLeak(r: { text: string }) {
  expect(r.text).not.toContain(SECRET);
  expect(r.text).not.toContain(passwd);
  expect(r.text).not.toContain('root:x:0:0');
}

describe('GET /api/clusters/{name}/members/{member}/logs', () => {
  it('answers a configured member by name, URL-encoded endpoint and host:port', async () => {
    for (const m of [
      'etcd-1',
      encodeURIComponent('http://127.0.0.1:23790'),
      'http://127.0.0.1:23790',
      '127.0.0.1:23790',
    ]) {
      const r = await call('local', m, `${W}&source=member`);
      expect(r.status, m).toBe(200);
      expect((r.body.lines as Array<{ msg: string }>).map((l) => l.msg)).toEqual([
        'slow fdatasync',
        'hello from etcd-1',
      ]);
      expect(r.body.member).toBe('http://127.0.0.1:23790');
      expect(r.body.signalCounts).toEqual([{ minute: T0, signal: 'slow-fdatasync', count: 1 }]);
    }
    // A member with no log configured: a clear note, not an error status.
    const r2 = await call('local', 'etcd-2', W);
    expect(r2.status).toBe(200);
    expect((r2.body.notes as Array<{ message: string }>)[0].message).toMatch(/no log is configured for etcd-2/);
  });

  const paths = [
    '../../etc/passwd',
    '/etc/passwd',
    '..%2F..%2Fetc%2Fpasswd',
    '%2Fetc%2Fpasswd',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '....//....//etc/passwd',
    '..\\..\\etc\\passwd',
    'file:///etc/passwd',
    'etcd-1/../../secret.txt',
    'logs/secret.log',
    'secret.txt',
    'http://127.0.0.1:23790/../../secret.txt',
    'http://evil.example:2379',
    '\u0000/etc/passwd',
  ];

  it('refuses paths and URLs as the cluster name or the member (400/404, never file content)', async () => {
    for (const p of paths) {
      for (const [name, member] of [
        [p, 'etcd-1'],
        ['local', p],
        ['local', encodeURIComponent(p)],
        ['local', `${dir}/secret.txt`],
      ]) {
        const r = await call(name, member, W);
        expect([400, 404], `${name} ${member}`).toContain(r.status);
        noLeak(r);
      }
    }
  });

  it('refuses paths in every query parameter', async () => {
    for (const p of paths) {
      const e = encodeURIComponent(p);
      for (const qs of [
        `from=${e}&to=${T0}`,
        `from=${T0}&to=${e}`,
        `${W}&level=${e}`,
        `${W}&limit=${e}`,
        `${W}&source=${e}`,
        `${W}&cursor=${e}`,
        `${W}&file=${e}`,
        `${W}&path=${e}`,
        `${W}&url=${e}`,
      ]) {
        const r = await call('local', 'etcd-1', qs);
        expect(r.status, qs).toBe(400);
        noLeak(r);
      }
      // q is a search text: it filters the configured log and finds nothing.
      const r = await call('local', 'etcd-1', `${W}&q=${e}`);
      expect(r.status).toBe(200);
      expect(r.body.lines).toEqual([]);
      noLeak(r);
    }
  });

  it('refuses cursors that carry anything but its own numbers', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    for (const c of [
      b64({ v: 1, m: { k: 'f', f: 0, o: 0, i: 0, path: '/etc/passwd' } }),
      b64({ v: 1, m: { k: 'f', f: '/etc/passwd', o: 0, i: 0 } }),
      b64({ v: 1, file: '/etc/passwd' }),
      b64({ v: 1, m: { k: 'l', e: 'http://evil/', s: 0 } }),
      b64({ v: 1, m: { k: 'f', f: -1, o: 0, i: 0 } }),
      b64('/etc/passwd'),
      Buffer.from('/etc/passwd').toString('base64url'),
    ]) {
      const r = await call('local', 'etcd-1', `${W}&cursor=${c}`);
      expect(r.status, c).toBe(400);
      noLeak(r);
    }
    // Well-formed but pointing nowhere: a clear message, no lines, no content.
    for (const c of [
      encodeCursor({ m: { k: 'f', f: 7, o: 0, i: 1 } }),
      encodeCursor({ m: { k: 'f', f: 0, o: 10 ** 12, i: 1 } }),
    ]) {
      const r = await call('local', 'etcd-1', `${W}&cursor=${c}&source=member`);
      expect(r.status).toBe(200);
      expect(r.body.lines).toEqual([]);
      expect((r.body.errors as Array<{ message: string }>)[0].message).toMatch(/load the first page again/);
      noLeak(r);
    }
  });

  it('bounds limit and the window', async () => {
    expect((await call('local', 'etcd-1', `${W}&limit=1001`)).status).toBe(400);
    expect((await call('local', 'etcd-1', `from=${T0}&to=${T0 + 25 * 3600_000}`)).status).toBe(400);
    expect((await call('local', 'etcd-1', `from=${T0}&to=${T0}`)).status).toBe(400);
    expect((await call('local', 'etcd-1', `${W}&q=${'x'.repeat(201)}`)).status).toBe(400);
    expect((await call('nope', 'etcd-1', W)).status).toBe(404);
  });
});
