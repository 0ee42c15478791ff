// Who is on the other end of a request: the socket's peer address, or, only when that peer is a
// configured trusted proxy, the address the proxy says it saw (X-Forwarded-For, read from the
// right, skipping other trusted proxies). Next.js keeps a client's own X-Forwarded-For and does
// not expose the socket to route handlers, so the server stamps the peer address on every
// request in a header of its own (lib/http/guard.ts, installed at start-up), overwriting whatever
// a client sent under that name.
import { type BlockList, isIP } from 'node:net';

/** Set by the server on every request to the socket's peer address; a client's value is overwritten. */
export const PEER_HEADER = 'x-fulcrum-peer';

/** `::ffff:10.0.0.1` -> `10.0.0.1`; brackets and zone ids dropped; lower case. */
export function normalizeAddress(a: string): string {
  let s = a.trim().toLowerCase();
  if (s.startsWith('[') && s.includes(']')) s = s.slice(1, s.indexOf(']'));
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (m) s = m[1];
  return s;
}

function familyOf(a: string): 'ipv4' | 'ipv6' | null {
  const v = isIP(a);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : null;
}

export function isTrusted(addr: string | null, trusted: BlockList): boolean {
  if (!addr) return false;
  const f = familyOf(addr);
  return f !== null && trusted.check(addr, f);
}

/** The socket peer's address as the server stamped it; null when the header is missing (not served by our server). */
export function peerAddress(headers: Headers): string | null {
  const p = headers.get(PEER_HEADER);
  if (!p) return null;
  const a = normalizeAddress(p);
  return familyOf(a) ? a : null;
}

/** The request came straight from a configured trusted proxy (its user/group headers may be believed). */
export function fromTrustedProxy(headers: Headers, trusted: BlockList): boolean {
  return isTrusted(peerAddress(headers), trusted);
}

/**
 * The client's address: the peer, or behind trusted proxies the rightmost X-Forwarded-For entry
 * that is not itself a trusted proxy. "unknown" when the server did not stamp the peer.
 */
export function clientAddress(headers: Headers, trusted: BlockList): string {
  const peer = peerAddress(headers);
  if (!peer) return 'unknown';
  if (!isTrusted(peer, trusted)) return peer;
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => normalizeAddress(s))
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const h = hops[i];
    if (!familyOf(h)) return peer; // garbage from further left: the last proxy we trust is the client we know
    if (!isTrusted(h, trusted)) return h;
  }
  return hops[0] ?? peer;
}

/**
 * The key rate limits and stream caps count by: an IPv4 address, or an IPv6 address's /64 (one
 * host usually holds a whole /64, so counting single IPv6 addresses is no limit at all).
 */
export function clientKey(headers: Headers, trusted: BlockList): string {
  const a = clientAddress(headers, trusted);
  if (familyOf(a) !== 'ipv6') return a;
  return `${ipv6Prefix64(a)}::/64`;
}

function ipv6Prefix64(a: string): string {
  const [head, tail = ''] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g || '0', 16) || 0).toString(16))
    .join(':');
}
