import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';

export interface HttpResult {
  status: number;
  body: string;
}

export class HttpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface GetOptions {
  agent?: http.Agent;
  timeoutMs: number;
  /** Refuse bodies larger than this (bytes). */
  maxBytes?: number;
  headers?: Record<string, string>;
}

/**
 * GET with a hard deadline covering connect, headers and body, and a body size bound.
 * Resolves for any HTTP status; rejects (HttpError) on network errors, timeouts, oversize.
 */
export async function httpGet(url: string, opts: GetOptions): Promise<HttpResult> {
  const chunks: Buffer[] = [];
  const { status } = await get(url, opts, () => (c) => chunks.push(c));
  return { status, body: Buffer.concat(chunks).toString('utf8') };
}

/**
 * `httpGet` whose body goes to `onText` piece by piece as it arrives (UTF-8, characters split
 * between chunks kept whole), so a large body is never held whole. Only a 200 body is handed over.
 */
export async function httpGetText(
  url: string,
  opts: GetOptions,
  onText: (text: string) => void,
): Promise<{ status: number }> {
  return get(url, opts, (status) => {
    if (status !== 200) return () => undefined;
    const dec = new StringDecoder('utf8');
    return (c, end) => {
      const t = end ? dec.end() : dec.write(c);
      if (t) onText(t);
    };
  });
}

/** `onBody(status)` returns what to do with each body chunk (`end`: called once more after the last). */
function get(
  url: string,
  opts: GetOptions,
  onBody: (status: number) => (chunk: Buffer, end: boolean) => void,
): Promise<{ status: number }> {
  const maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    let done = false;
    const finish = (err: Error | null, status = 0) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve({ status });
    };
    const req = mod.get(u, { agent: opts.agent, headers: opts.headers }, (res) => {
      const status = res.statusCode ?? 0;
      const sink = onBody(status);
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          req.destroy();
          finish(new HttpError(`response from ${u.host}${u.pathname} larger than ${maxBytes} bytes`));
          return;
        }
        if (done) return;
        try {
          sink(c, false);
        } catch (e) {
          req.destroy();
          finish(e instanceof Error ? e : new Error(String(e)));
        }
      });
      res.on('end', () => {
        if (done) return;
        try {
          sink(Buffer.alloc(0), true);
          finish(null, status);
        } catch (e) {
          finish(e instanceof Error ? e : new Error(String(e)));
        }
      });
      res.on('error', (e) => finish(new HttpError(`${u.host}${u.pathname}: ${e.message}`)));
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish(new HttpError(`${u.host}${u.pathname}: no answer within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) =>
      finish(new HttpError(`${u.host}${u.pathname}: ${e.code ?? e.message}`)),
    );
  });
}

/**
 * A failed call that ran out of time (or could not get a connection in time), as opposed to one
 * the other side refused or answered with an error: only the former can be the caller's own
 * lateness. Reads the messages Fulcrum's sources produce (HttpError, Prometheus, HAProxy, gRPC).
 */
export function isTimeout(message: string | null | undefined): boolean {
  if (!message) return false;
  if (/no answer within|DEADLINE_EXCEEDED|Deadline exceeded|ETIMEDOUT/.test(message)) return true;
  // gRPC: UNAVAILABLE while waiting for a connection, unless the connection was refused outright.
  return (
    /UNAVAILABLE/.test(message) && !/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/.test(message)
  );
}
