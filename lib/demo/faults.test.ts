// The demo fault routes against a stand-in control endpoint (a real HTTP server): 404 unless in
// demo mode with a control URL, inputs checked before anything is forwarded, answers passed on.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '../../app/api/demo/faults/route';
import { DELETE, POST } from '../../app/api/demo/faults/[name]/route';
import { FAULT_NAMES } from '../../dev/faults';
import type { FulcrumConfig } from '../config/load';
import { setRuntime, type Runtime } from '../engine/runtime';
import { accessConfigFor } from '../testkit';
import { DEMO_FAULT_HELP, DEMO_FAULTS, demoControlUrl, forwardToControl } from './faults';

const seen: Array<{ method: string; url: string }> = [];
let reply: { status: number; body: string } = { status: 200, body: '{"active":[],"names":[]}' };
let server: http.Server;
let controlUrl = '';
let hang: http.Server;
let hangUrl = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '' });
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(reply.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  controlUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hang = http.createServer(() => {
    // never answers
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  hang.closeAllConnections();
  await new Promise((r) => server.close(r));
  await new Promise((r) => hang.close(r));
});

afterEach(() => {
  setRuntime(undefined);
  delete process.env.FULCRUM_DEMO_CONTROL_URL;
  seen.length = 0;
  reply = { status: 200, body: '{"active":[],"names":[]}' };
});

function runtime(demo: boolean, adminToken: string | null = null): void {
  const config = {
    demo,
    ...accessConfigFor({ adminToken }),
  } as unknown as FulcrumConfig;
  setRuntime({ config, clusters: new Map() } as unknown as Runtime);
}

const ctx = (name: string) => ({ params: Promise.resolve({ name }) });
const list = () => GET(new Request('http://fulcrum.test/api/demo/faults'), { params: Promise.resolve({}) });
const post = (name: string, qs = '', headers: Record<string, string> = {}) =>
  POST(
    new Request(`http://fulcrum.test/api/demo/faults/${name}${qs}`, {
      method: 'POST',
      headers: { host: 'fulcrum.test', ...headers },
    }),
    ctx(name),
  );
const del = (name: string, qs = '', headers: Record<string, string> = {}) =>
  DELETE(
    new Request(`http://fulcrum.test/api/demo/faults/${name}${qs}`, {
      method: 'DELETE',
      headers: { host: 'fulcrum.test', ...headers },
    }),
    ctx(name),
  );

describe('demo fault routes', () => {
  it('the fault list matches dev/faults/, each with a line of help', () => {
    expect([...DEMO_FAULTS]).toEqual([...FAULT_NAMES]);
    for (const f of DEMO_FAULTS) expect(DEMO_FAULT_HELP[f].length).toBeGreaterThan(10);
  });

  it('not in demo mode: every route answers 404 and nothing is forwarded, even with a control URL', async () => {
    runtime(false);
    process.env.FULCRUM_DEMO_CONTROL_URL = controlUrl;
    expect((await list()).status).toBe(404);
    expect((await post('freeze')).status).toBe(404);
    expect((await post('not-a-fault', '?member=99')).status).toBe(404);
    expect((await del('freeze')).status).toBe(404);
    expect(seen).toEqual([]);
  });

  it('demo mode without a control URL (or a bad one) is 404 too', async () => {
    runtime(true);
    expect((await list()).status).toBe(404);
    process.env.FULCRUM_DEMO_CONTROL_URL = 'file:///etc/passwd';
    expect((await post('freeze')).status).toBe(404);
    expect(demoControlUrl({ demo: true }, { FULCRUM_DEMO_CONTROL_URL: 'http://u:p@127.0.0.1:1' })).toBeNull();
    expect(demoControlUrl({ demo: true }, { FULCRUM_DEMO_CONTROL_URL: 'http://127.0.0.1:9/' })).toBe(
      'http://127.0.0.1:9',
    );
    expect(seen).toEqual([]);
  });

  it('demo mode: lists, injects with a member, undoes, passing the control answers on', async () => {
    runtime(true);
    process.env.FULCRUM_DEMO_CONTROL_URL = `${controlUrl}/`;
    reply = { status: 200, body: '{"active":[{"name":"freeze","member":"etcd-2"}],"names":["freeze"]}' };
    const g = await list();
    expect(g.status).toBe(200);
    expect(await g.json()).toEqual({ active: [{ name: 'freeze', member: 'etcd-2' }], names: ['freeze'] });
    reply = { status: 201, body: '{"name":"freeze","member":"etcd-3"}' };
    const p = await post('freeze', '?member=etcd-3');
    expect(p.status).toBe(201);
    expect((await post('skew-weights', '?member=14')).status).toBe(201);
    reply = { status: 409, body: '{"error":"freeze is active already"}' };
    const again = await post('freeze');
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: 'freeze is active already' });
    reply = { status: 200, body: '{"name":"freeze"}' };
    expect((await del('freeze')).status).toBe(200);
    expect(seen).toEqual([
      { method: 'GET', url: '/faults' },
      { method: 'POST', url: '/faults/freeze?member=etcd-3' },
      { method: 'POST', url: '/faults/skew-weights?member=14' },
      { method: 'POST', url: '/faults/freeze' },
      { method: 'DELETE', url: '/faults/freeze' },
    ]);
  });

  it('refuses unknown faults, bad members and extra parameters before forwarding anything', async () => {
    runtime(true);
    process.env.FULCRUM_DEMO_CONTROL_URL = controlUrl;
    for (const [name, qs] of [
      ['rm-rf', ''],
      ['..', ''],
      ['freeze', '?member=15'],
      ['freeze', '?member=-1'],
      ['freeze', '?member=etcd-0'],
      ['freeze', '?member=etcd-16'],
      ['freeze', '?member=..%2Fx'],
      ['freeze', '?member=1&x=2'],
    ] as const) {
      const r = await post(name, qs);
      expect(r.status, `${name}${qs}`).toBe(400);
    }
    expect((await del('nope')).status).toBe(400);
    expect((await del('freeze', '?member=1')).status).toBe(400);
    expect(seen).toEqual([]);
  });

  it('refuses cross-site changes, and asks for the admin token when one is configured', async () => {
    runtime(true);
    process.env.FULCRUM_DEMO_CONTROL_URL = controlUrl;
    expect((await post('freeze', '', { origin: 'http://evil.test' })).status).toBe(403);
    expect((await del('freeze', '', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    runtime(true, 'a-long-admin-token-0123456789');
    expect((await post('freeze')).status).toBe(401);
    reply = { status: 201, body: '{}' };
    expect(
      (
        await post('freeze', '', {
          authorization: 'Bearer a-long-admin-token-0123456789',
          origin: 'http://fulcrum.test',
        })
      ).status,
    ).toBe(201);
    expect(seen).toEqual([{ method: 'POST', url: '/faults/freeze' }]);
  });

  it('a control endpoint that hangs, is gone or answers non-JSON gives 504 / 502', async () => {
    const t = await forwardToControl(hangUrl, 'GET', '/faults', 200);
    expect(t.status).toBe(504);
    expect(((await t.json()) as { error: string }).error).toMatch(/did not answer/);
    const gone = await forwardToControl('http://127.0.0.1:1', 'GET', '/faults', 2_000);
    expect(gone.status).toBe(502);
    reply = { status: 200, body: '<html>' };
    expect((await forwardToControl(controlUrl, 'GET', '/faults', 2_000)).status).toBe(502);
  });
});
