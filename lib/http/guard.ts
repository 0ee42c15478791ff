// What every request meets before Next.js sees it, installed once at start-up
// (instrumentation.ts -> startServer): the socket's peer address stamped in PEER_HEADER (a
// client's own value under that name is overwritten), and a 400 for a path whose %-escapes do
// not decode (Next.js answers those with a bare 500).
import http from 'node:http';
import { normalizeAddress, PEER_HEADER } from '../auth/client';

const INSTALLED = Symbol.for('fulcrum.requestGuardInstalled');

/** The path part of a request target decodes (every % starts a valid UTF-8 escape). */
export function pathDecodes(target: string | undefined): boolean {
  if (!target) return true;
  const q = target.search(/[?#]/);
  const p = q < 0 ? target : target.slice(0, q);
  if (!p.includes('%')) return true;
  try {
    decodeURIComponent(p);
    return true;
  } catch {
    return false;
  }
}

export const BAD_PATH_BODY = 'bad request: the path has a malformed %-escape\n';

function refuse(res: http.ServerResponse): void {
  res.writeHead(400, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    'Referrer-Policy': 'same-origin',
    Connection: 'close',
  });
  res.end(BAD_PATH_BODY);
}

/** Stamps the peer and refuses undecodable paths on every http.Server in this process. Idempotent. */
export function installRequestGuard(): void {
  const proto = http.Server.prototype as http.Server & { [INSTALLED]?: boolean };
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  const emit = proto.emit as (...a: unknown[]) => boolean;
  proto.emit = function guardedEmit(this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request' || event === 'checkContinue') {
      const req = args[0] as http.IncomingMessage;
      const addr = req.socket?.remoteAddress;
      const peer = addr ? normalizeAddress(addr) : 'unknown';
      req.headers[PEER_HEADER] = peer;
      const raw = req.rawHeaders;
      for (let i = raw.length - 2; i >= 0; i -= 2) if (raw[i].toLowerCase() === PEER_HEADER) raw.splice(i, 2);
      raw.push(PEER_HEADER, peer);
      if (!pathDecodes(req.url)) {
        refuse(args[1] as http.ServerResponse);
        return true;
      }
    }
    return emit.apply(this, [event, ...args]);
  } as typeof proto.emit;
}
