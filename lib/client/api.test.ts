// The browser's API client against a real local HTTP server (Node's fetch is the browser's):
// every way a call can end maps to one ApiResult.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, apiPath, request } from './api';

let server: http.Server;
let base = '';
const seen: Array<{
  method: string;
  url: string;
  type: string | undefined;
  body: string;
  headers: http.IncomingHttpHeaders;
}> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        type: req.headers['content-type'],
        body,
        headers: req.headers,
      });
      const u = new URL(req.url ?? '/', 'http://x');
      switch (u.pathname) {
        case '/ok':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ clusters: [{ name: 'a' }], q: u.search }));
          return;
        case '/created':
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end('{"id":"x"}');
          return;
        case '/error':
          res.writeHead(413, { 'content-type': 'application/json' });
          res.end('{"error":"request body too large: over the limit of 65.5 KB (65536 bytes)"}');
          return;
        case '/error-html':
          res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' });
          res.end('<html>nginx</html>');
          return;
        case '/error-json-without-error':
          res.writeHead(500, 'Internal Server Error', { 'content-type': 'application/json' });
          res.end('{"message":"no error field"}');
          return;
        case '/html':
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end('<!doctype html><p>login</p>');
          return;
        case '/cut':
          // Promises 1000 bytes, sends 10, then drops the connection.
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
          res.write('{"clusters"');
          setTimeout(() => res.destroy(), 20);
          return;
        case '/slow':
          setTimeout(() => {
            if (res.writableEnded || res.destroyed) return;
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end('{}');
          }, 2000);
          return;
        default:
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"error":"no such route"}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('request', () => {
  it('answers the typed data and the status', async () => {
    const r = await request<{ clusters: Array<{ name: string }>; q: string }>(`${base}/ok`, {
      query: { from: 1, to: 2, q: 'a b&c', none: undefined, nil: null },
    });
    expect(r).toEqual({ ok: true, status: 200, data: { clusters: [{ name: 'a' }], q: '?from=1&to=2&q=a+b%26c' } });
    expect((await request(`${base}/created`, { method: 'POST' })).ok).toBe(true);
  });

  it("an error status carries the server's {error} line", async () => {
    const r = await request(`${base}/error`);
    expect(r).toEqual({
      ok: false,
      error: { kind: 'http', status: 413, message: 'request body too large: over the limit of 65.5 KB (65536 bytes)' },
    });
    expect(await request(`${base}/nope`)).toEqual({
      ok: false,
      error: { kind: 'http', status: 404, message: 'no such route' },
    });
  });

  it('an error status without an {error} line says the status', async () => {
    expect(await request(`${base}/error-html`)).toEqual({
      ok: false,
      error: { kind: 'http', status: 502, message: 'HTTP 502 Bad Gateway' },
    });
    expect(await request(`${base}/error-json-without-error`)).toEqual({
      ok: false,
      error: { kind: 'http', status: 500, message: 'HTTP 500 Internal Server Error' },
    });
  });

  it('a success that is not JSON is invalid, naming what came instead', async () => {
    expect(await request(`${base}/html`)).toEqual({
      ok: false,
      error: { kind: 'invalid', status: 200, message: 'the server answered text/html, not JSON' },
    });
  });

  it('a body cut off mid-way is invalid, not a crash', async () => {
    const r = await request(`${base}/cut`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe('invalid');
  });

  it('no server: a network error', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const r = await request(`http://127.0.0.1:${port}/ok`);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('network');
      expect(r.error.message).toMatch(/^network error: /);
    }
  });

  it('no answer in time: a timeout that says how long it waited', async () => {
    expect(await request(`${base}/slow`, { timeoutMs: 150 })).toEqual({
      ok: false,
      error: { kind: 'timeout', message: 'no answer within 0.1 s' },
    });
  });

  it("the caller's abort is 'aborted', before or during the request, and wins over the timeout", async () => {
    const pre = new AbortController();
    pre.abort();
    expect(await request(`${base}/ok`, { signal: pre.signal })).toEqual({
      ok: false,
      error: { kind: 'aborted', message: 'cancelled' },
    });
    const during = new AbortController();
    const p = request(`${base}/slow`, { signal: during.signal, timeoutMs: 5000 });
    setTimeout(() => during.abort(), 50);
    expect(await p).toEqual({ ok: false, error: { kind: 'aborted', message: 'cancelled' } });
  });

  it('uses the given fetch, and sends JSON bodies as JSON', async () => {
    const calls: Array<[string, RequestInit | undefined]> = [];
    const fake: typeof fetch = async (url, init) => {
      calls.push([String(url), init]);
      return new Response('{"deleted":"x"}', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const r = await request<{ deleted: string }>('/api/x', { method: 'POST', json: { a: 1 }, fetch: fake });
    expect(r).toEqual({ ok: true, status: 200, data: { deleted: 'x' } });
    expect(calls[0][0]).toBe('/api/x');
    expect(calls[0][1]?.body).toBe('{"a":1}');
    expect((calls[0][1]?.headers as Record<string, string> | undefined)?.['Content-Type']).toBe('application/json');
    expect(calls[0][1]?.cache).toBe('no-store');
  });
});

describe('api calls', () => {
  const via = (path: string) => {
    const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
    const fake: typeof fetch = async (url, init) => {
      calls.push({ url: String(url), init });
      return fetch(`${base}${path}`, init);
    };
    return { calls, fake };
  };

  it('encode names into paths and queries, and send what each route reads', async () => {
    const { calls, fake } = via('/ok');
    await api.history('a/b c', { from: 1, to: 2, maxPoints: 10 }, { fetch: fake });
    await api.memberLogs('prod', 'http://10.0.0.1:2379', { from: 1, to: 2, level: undefined }, { fetch: fake });
    await api.previewSnapshot({ cluster: 'prod', rangeMs: 60_000 }, { fetch: fake });
    await api.deleteSnapshot('abc', 'key-1', { fetch: fake });
    await api.injectFault('freeze', 'etcd-2', { fetch: fake });
    await api.undoFault('freeze', { fetch: fake });
    expect(calls.map((c) => `${c.init?.method} ${c.url}`)).toEqual([
      'GET /api/clusters/a%2Fb%20c/history?from=1&to=2&maxPoints=10',
      'GET /api/clusters/prod/members/http%3A%2F%2F10.0.0.1%3A2379/logs?from=1&to=2',
      'POST /api/snapshots',
      'DELETE /api/snapshots/abc',
      'POST /api/demo/faults/freeze?member=etcd-2',
      'DELETE /api/demo/faults/freeze',
    ]);
    expect(JSON.parse(String(calls[2].init?.body))).toEqual({ cluster: 'prod', rangeMs: 60_000, dryRun: true });
    expect((calls[3].init?.headers as Record<string, string> | undefined)?.['X-Delete-Key']).toBe('key-1');
    expect(apiPath.clusterStream('a b')).toBe('/api/clusters/a%20b/stream');
  });

  it('uploads an import as the multipart field "file"', async () => {
    const { fake } = via('/created');
    seen.length = 0;
    const r = await api.importSnapshot(new Blob(['{"kind":"fulcrum-snapshot"}']), '1d', { fetch: fake });
    expect(r).toEqual({ ok: true, status: 201, data: { id: 'x' } });
    expect(seen[0].url).toBe('/created');
    expect(seen[0].type).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen[0].body).toContain('name="file"');
    expect(seen[0].body).toContain('{"kind":"fulcrum-snapshot"}');
  });
});
