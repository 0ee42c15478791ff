// Bounded bodies: the limit holds while the stream is read (no Content-Length needed), and the
// reader stops at the chunk that crosses it. The stream below counts what was pulled from it.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LimitError, ValidationError } from '../errors';
import { parseBody, parseForm, parseQuery, readBounded } from './parse';

const CHUNK = 16 * 1024;

/** A request whose body is `total` bytes of `fill`, pulled a chunk at a time; `pulled()` says how much was read. */
function streamed(total: number, opts: { contentLength?: number; head?: string; type?: string } = {}) {
  let sent = 0;
  const head = new TextEncoder().encode(opts.head ?? '');
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent >= total) return c.close();
      const n = Math.min(CHUNK, total - sent);
      const chunk = new Uint8Array(n).fill(0x20);
      if (sent === 0) chunk.set(head.subarray(0, n));
      sent += n;
      c.enqueue(chunk);
    },
  });
  const headers: Record<string, string> = { 'content-type': opts.type ?? 'application/json' };
  if (opts.contentLength !== undefined) headers['content-length'] = String(opts.contentLength);
  const req = new Request('http://f.test/api/x', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
  return { req, pulled: () => sent };
}

describe('readBounded', () => {
  it('a chunked body over the limit is refused having read at most the limit and one chunk', async () => {
    const max = 64 * 1024;
    const { req, pulled } = streamed(50 * 1024 * 1024);
    const e = await readBounded(req, { maxBytes: max, setting: 'snapshots.maxBytes' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).message).toBe(
      'request body too large: over the limit of 65.5 KB (65536 bytes), set by snapshots.maxBytes',
    );
    expect((e as LimitError).limitBytes).toBe(max);
    // The stream may have queued one chunk ahead of the reader.
    expect(pulled()).toBeLessThanOrEqual(max + 2 * CHUNK);
  });

  it('a Content-Length over the limit is refused without reading', async () => {
    const { req, pulled } = streamed(1024 * 1024, { contentLength: 1024 * 1024 });
    await expect(readBounded(req, 1000)).rejects.toThrow('over the limit of 1.0 KB (1000 bytes)');
    expect(pulled()).toBeLessThanOrEqual(CHUNK);
  });

  it('a body at the limit is read whole; a missing body is empty', async () => {
    const { req } = streamed(3 * CHUNK + 5);
    expect((await readBounded(req, 3 * CHUNK + 5)).byteLength).toBe(3 * CHUNK + 5);
    expect((await readBounded(new Request('http://f.test/'), 10)).byteLength).toBe(0);
  });
});

describe('parseBody', () => {
  const Schema = z.object({ cluster: z.string().max(5), n: z.number().optional() }).strict();
  const post = (body: string) => new Request('http://f.test/', { method: 'POST', body });

  it('parses and validates, naming the field', async () => {
    expect(await parseBody(post('{"cluster":"prod","n":1}'), Schema, 100)).toEqual({ cluster: 'prod', n: 1 });
    await expect(parseBody(post('{"cluster":"toolong"}'), Schema, 100)).rejects.toThrow(/^invalid cluster: /);
    await expect(parseBody(post('{"cluster":"a","x":1}'), Schema, 100)).rejects.toThrow(ValidationError);
    await expect(parseBody(post('{nope'), Schema, 100)).rejects.toThrow(/^invalid JSON body: /);
    await expect(parseBody(post(''), Schema, 100)).rejects.toThrow(/^invalid cluster: /);
    await expect(
      parseBody(new Request('http://f.test/', { method: 'POST', body: new Uint8Array([0xff, 0xfe]) }), Schema, 100),
    ).rejects.toThrow('invalid body: not UTF-8 text');
  });

  it('a JSON body over the limit is a LimitError, not a parse error', async () => {
    await expect(parseBody(post(`{"cluster":"${'x'.repeat(200)}"}`), Schema, 100)).rejects.toThrow(LimitError);
  });
});

describe('parseForm', () => {
  it('reads a urlencoded or multipart form within the limit', async () => {
    const f = await parseForm(
      new Request('http://f.test/', { method: 'POST', body: new URLSearchParams({ token: 't', next: '/x' }) }),
      1000,
    );
    expect(f.get('next')).toBe('/x');
    const fd = new FormData();
    fd.set('file', new Blob(['{"a":1}']), 'a.json');
    const m = await parseForm(new Request('http://f.test/', { method: 'POST', body: fd }), 10_000);
    expect(await (m.get('file') as File).text()).toBe('{"a":1}');
  });

  it('a multipart body over the limit is refused while reading; a body that is no form is a 400', async () => {
    const boundary = 'xyz';
    const { req, pulled } = streamed(20 * 1024 * 1024, {
      type: `multipart/form-data; boundary=${boundary}`,
      head: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.json"\r\n\r\n`,
    });
    const e = await parseForm(req, { maxBytes: 100_000, namedBytes: 90_000, what: 'file' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).message).toBe('file too large: over the limit of 90.0 KB (90000 bytes)');
    expect(pulled()).toBeLessThanOrEqual(100_000 + 2 * CHUNK);
    await expect(
      parseForm(
        new Request('http://f.test/', {
          method: 'POST',
          body: 'garbage',
          headers: { 'content-type': 'multipart/form-data; boundary=q' },
        }),
        1000,
      ),
    ).rejects.toThrow(ValidationError);
  });
});

describe('parseQuery', () => {
  it('names the parameter', () => {
    const Q = z.object({ from: z.coerce.number().int() }).strict();
    expect(parseQuery('http://f.test/?from=5', Q)).toEqual({ from: 5 });
    expect(() => parseQuery('http://f.test/?from=x', Q)).toThrow(/^invalid parameter from: /);
  });
});
