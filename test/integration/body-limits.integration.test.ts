// Body limits against the production server (`next start` of the build): an oversized body is
// refused with a 413 naming the limit while it is still being sent, chunked (no Content-Length)
// or not, JSON or a multipart import. The client streams a body far larger than the limit and
// stops as soon as the answer comes: what it had sent by then bounds what the server read.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FulcrumServer, startFulcrum, writeDeadClusterConfig } from '@/dev/lib/fulcrum';

const MAX_BYTES = 65_536; // snapshots.maxBytes (its minimum)
const BODY_BYTES = 256 * 1024 * 1024; // what the client would send if nobody stopped it
/** Socket buffers on both sides hold a few MB whatever the server reads; far below BODY_BYTES. */
const SENT_BOUND = 32 * 1024 * 1024;

let dir: string;
let fulcrum: FulcrumServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-limits-'));
  const config = await writeDeadClusterConfig(dir, { snapshotMaxBytes: MAX_BYTES });
  fulcrum = await startFulcrum(config, dir);
});

afterAll(async () => {
  await fulcrum?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Sent {
  status: number;
  body: { error?: string };
  /** Bytes written when the answer arrived. */
  sent: number;
}

/** POSTs `head` then filler bytes up to BODY_BYTES (chunked unless a Content-Length is given), stopping at the answer. */
function post(p: string, headers: Record<string, string>, head: string): Promise<Sent> {
  const u = new URL(p, fulcrum.url);
  const filler = Buffer.alloc(64 * 1024, 0x20);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', headers });
    req.on('response', (res) => {
      answered = true;
      const at = sent;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as Sent['body'], sent: at });
      });
    });
    req.on('error', (e) => {
      if (!answered) reject(new Error(`no answer after ${sent} bytes: ${e.message}`));
    });
    const pump = () => {
      while (!answered && sent < BODY_BYTES) {
        const n = Math.min(filler.length, BODY_BYTES - sent);
        sent += n;
        if (!req.write(filler.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    sent += Buffer.byteLength(head);
    req.write(head);
    pump();
  });
}

describe('bounded request bodies (production server)', () => {
  it('a chunked JSON body with no Content-Length: 413 naming the limit, before the body is sent', async () => {
    const r = await post('/api/snapshots', { 'content-type': 'application/json' }, '{"cluster":"prod","note":"');
    console.log(`create: 413 after ${r.sent} of ${BODY_BYTES} bytes sent (limit 65536)`);
    expect(r.status).toBe(413);
    expect(r.body.error).toBe('request body too large: over the limit of 65.5 KB (65536 bytes)');
    expect(r.sent).toBeLessThan(SENT_BOUND);
  });

  it('a Content-Length over the limit: 413 without reading the body', async () => {
    const r = await post(
      '/api/snapshots',
      { 'content-type': 'application/json', 'content-length': String(BODY_BYTES) },
      '{"cluster":"prod","note":"',
    );
    expect(r.status).toBe(413);
    expect(r.sent).toBeLessThan(SENT_BOUND);
  });

  it('a multipart import over the limit: 413 naming the limit, before the upload is sent', async () => {
    const boundary = 'fulcrum-test-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.json"\r\nContent-Type: application/json\r\n\r\n{"kind":"fulcrum-snapshot","note":"`;
    const r = await post(
      '/api/snapshots/import',
      { 'content-type': `multipart/form-data; boundary=${boundary}` },
      head,
    );
    console.log(`import: 413 after ${r.sent} of ${BODY_BYTES} bytes sent (limit 65536 + 65536 for the form)`);
    expect(r.status).toBe(413);
    // The body may carry 64 KB of form around the file; the 413 names the file's own limit.
    expect(r.body.error).toBe('file too large: over the limit of 65.5 KB (65536 bytes), set by snapshots.maxBytes');
    expect(r.sent).toBeLessThan(SENT_BOUND);
  });

  it('a file within the upload limit but over snapshots.maxBytes: 413 naming snapshots.maxBytes', async () => {
    const form = new FormData();
    form.set('file', new Blob([`{"kind":"fulcrum-snapshot","note":"${' '.repeat(MAX_BYTES + 1000)}"}`]), 'f.json');
    const r = await fetch(`${fulcrum.url}/api/snapshots/import`, { method: 'POST', body: form });
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: string }).error).toBe(
      'file too large: over the limit of 65.5 KB (65536 bytes), set by snapshots.maxBytes',
    );
  });

  it('a body within the limit still works: a bad cluster is a 404, a bad field a 400', async () => {
    const r = await fetch(`${fulcrum.url}/api/snapshots`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cluster: 'nope', dryRun: true }),
    });
    expect(r.status).toBe(404);
    const bad = await fetch(`${fulcrum.url}/api/snapshots`, { method: 'POST', body: '{"cluster":"prod","x":1}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^invalid body: /);
  });
});
