import http from 'node:http';
import https from 'node:https';

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
export function httpGet(url: string, opts: GetOptions): Promise<HttpResult> {
  const maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    let done = false;
    const finish = (err: Error | null, res?: HttpResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(res!);
    };
    const req = mod.get(u, { agent: opts.agent, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          req.destroy();
          finish(new HttpError(`response from ${u.host}${u.pathname} larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
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
