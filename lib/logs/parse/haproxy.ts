// HAProxy's logs, as a syslog receiver (or `log stdout format rfc3164|rfc5424|raw`) stores them:
// traffic lines in the TCP format (option tcplog) and the HTTP format (option httplog), and the
// server state lines ("Server etcd/etcd-3 is DOWN, reason: …").
//
// Time: a traffic line is written when the session ends, but its date is when it started
// (%t accept date, local time, ms precision). Fulcrum uses accept date + total time (Tt for TCP,
// Ta for HTTP), which is when the line was written: the file stays sorted by it, which the
// time-bounded reader relies on. Lines without a date take the syslog header's time.
import {
  clip,
  finite,
  fracMs,
  localTime,
  MONTHS,
  readSyslogHeader,
  syslogLevel,
  type ParseContext,
  type Parsed,
} from './common';

const DATE = String.raw`\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?\]`;
const HEAD = String.raw`^(\S+):(\d+) ${DATE} (\S+) ([^\s/]+)\/(\S+) `;
// %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq
const TCP = new RegExp(
  `${HEAD}(-?\\d+)\\/(-?\\d+)\\/(\\+?-?\\d+) (\\+?\\d+) (\\S{2}) (\\d+)\\/(\\d+)\\/(\\d+)\\/(\\d+)\\/(\\+?\\d+) (\\d+)\\/(\\d+)$`,
);
// %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq {%hrl} {%hsl} %{+Q}r
const HTTP = new RegExp(
  `${HEAD}(-?\\d+)\\/(-?\\d+)\\/(-?\\d+)\\/(-?\\d+)\\/(\\+?-?\\d+) (-?\\d{1,3}) (\\+?\\d+) (\\S+) (\\S+) (\\S{4}) (\\d+)\\/(\\d+)\\/(\\d+)\\/(\\d+)\\/(\\+?\\d+) (\\d+)\\/(\\d+)((?: \\{[^}]*\\})*)(?: "((?:[^"\\\\]|\\\\.)*)")?$`,
);
const SERVER_STATE =
  /^(?:\[[A-Z]+\] \(\d+\) : )?(?:Server|server) ([^\s/]+)\/(\S+) is ([A-Za-z]+(?: [A-Za-z]+)*?)(?:,|\.|$)(?:.*?reason: ([^,.]+(?:\.[^,.]+)?))?/;
const SERVER_ANY = /\b(?:[Ss]erver|for server) ([^\s/]+)\/([^\s,]+)/;
const BACKEND = /\b(?:backend|proxy|Proxy) '?([A-Za-z0-9_.:-]+)'? has no server available/;

function acceptDate(m: RegExpExecArray, at: number, ctx: ParseContext): number {
  const mo = MONTHS[m[at + 1]];
  if (mo === undefined) return NaN;
  return localTime(
    ctx,
    Number(m[at + 2]),
    mo,
    Number(m[at]),
    Number(m[at + 3]),
    Number(m[at + 4]),
    Number(m[at + 5]),
    fracMs(m[at + 6]),
  );
}

const num = (s: string) => Number(s.replace('+', ''));

/** The HAProxy message part of a line (after any syslog header), or null when it isn't HAProxy's. */
export function parseHaproxy(line: string, ctx: ParseContext): Parsed | null {
  const h = readSyslogHeader(line, ctx);
  const body = h ? line.slice(h.bodyAt) : line;
  const level = h?.pri != null ? syslogLevel(h.pri) : null;
  const headerT = h ? finite(h.t) : null;
  const fields: Record<string, string> = {};
  if (h?.host) fields.host = h.host;
  if (h?.pid) fields.pid = h.pid;

  let m = TCP.exec(body);
  if (m) {
    // 13 Tw, 14 Tc, 15 Tt, 16 bytes, 17 termination, 18-22 connections, 23-24 queues.
    const accept = acceptDate(m, 3, ctx);
    const tt = num(m[15]);
    Object.assign(fields, {
      client: `${m[1]}:${m[2]}`,
      frontend: m[10],
      backend: m[11],
      server: m[12],
      Tw: m[13],
      Tc: m[14],
      Tt: m[15].replace('+', ''),
      bytes: m[16].replace('+', ''),
      termination: m[17],
      actconn: m[18],
      feconn: m[19],
      beconn: m[20],
      srv_conn: m[21],
      retries: m[22].replace('+', ''),
      srv_queue: m[23],
      backend_queue: m[24],
    });
    if (Number.isFinite(accept)) fields.accept = new Date(accept).toISOString();
    const t = Number.isFinite(accept) ? accept + Math.max(tt, 0) : headerT;
    return { t, level, msg: body, fields, format: 'haproxy' };
  }
  m = HTTP.exec(body);
  if (m) {
    // 13 TR, 14 Tw, 15 Tc, 16 Tr, 17 Ta, 18 status, 19 bytes, 20-21 cookies, 22 tsc,
    // 23-27 connections, 28-29 queues, 30 captured headers, 31 request line.
    const accept = acceptDate(m, 3, ctx);
    const ta = num(m[17]);
    Object.assign(fields, {
      client: `${m[1]}:${m[2]}`,
      frontend: m[10],
      backend: m[11],
      server: m[12],
      TR: m[13],
      Tw: m[14],
      Tc: m[15],
      Tr: m[16],
      Ta: m[17],
      status: m[18],
      bytes: m[19].replace('+', ''),
      termination: m[22].slice(0, 2),
      tsc: m[22],
      actconn: m[23],
      feconn: m[24],
      beconn: m[25],
      srv_conn: m[26],
      retries: m[27].replace('+', ''),
      srv_queue: m[28],
      backend_queue: m[29],
    });
    if (m[30]?.trim()) fields.headers = clip(m[30].trim(), 500);
    if (m[31] !== undefined) fields.request = clip(m[31]);
    // Connected, but no answer from the member (Tr = -1): the client or a timeout gave up
    // first. This is how a hung (e.g. SIGSTOPped) member shows in HTTP mode: `CD--`, status -1.
    // (HAProxy's own 502/503/504 answers have their status signals instead.)
    if (m[15] !== '-1' && m[16] === '-1' && m[18] === '-1' && /^[CcSs]/.test(m[22])) fields.noResponse = 'true';
    if (Number.isFinite(accept)) fields.accept = new Date(accept).toISOString();
    const t = Number.isFinite(accept) ? accept + Math.max(ta, 0) : headerT;
    return { t, level, msg: body, fields, format: 'haproxy' };
  }
  // Not a traffic line: only accept it as HAProxy's when the syslog tag says so or it has an
  // HAProxy-specific shape.
  const tagIsHaproxy = h?.tag ? /haproxy/i.test(h.tag) : false;
  const st = SERVER_STATE.exec(body);
  if (st) {
    fields.backend = st[1];
    fields.server = st[2];
    fields.state = st[3];
    if (st[4]) fields.reason = st[4].trim();
    return { t: headerT, level, msg: body, fields, format: 'haproxy' };
  }
  if (!tagIsHaproxy) return null;
  const any = SERVER_ANY.exec(body);
  if (any) {
    fields.backend = any[1];
    fields.server = any[2];
  } else {
    const be = BACKEND.exec(body);
    if (be) {
      fields.backend = be[1];
      fields.server = '<NOSRV>';
    }
  }
  return { t: headerT, level, msg: body, fields, format: 'haproxy' };
}
