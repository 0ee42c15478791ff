// NGINX in front of etcd: the access log (http `combined`, optionally followed by key=value
// extras such as upstream_addr=…; and the stream module's documented `basic` format) and the
// error log (`2024/11/25 10:00:00 [error] 1234#1234: *5 connect() failed … upstream: "…"`).
import type { LogLevel } from '../types';
import { clip, fracMs, localTime, MONTHS, zoneOffset, type ParseContext, type Parsed } from './common';

const Q = String.raw`"((?:[^"\\]|\\.)*)"`;
const TIME_LOCAL = String.raw`\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? ([+-]\d{4})\]`;
// $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" …
const COMBINED = new RegExp(String.raw`^(\S+) - (\S+) ${TIME_LOCAL} ${Q} (\d{3}) (\d+|-)(?: ${Q} ${Q})?(.*)$`);
// stream: $remote_addr [$time_local] $protocol $status $bytes_sent $bytes_received $session_time "$upstream_addr" …
const STREAM = new RegExp(String.raw`^(\S+) ${TIME_LOCAL} (TCP|UDP) (\d{3}) (\d+) (\d+) ([\d.]+)(?: "([^"]*)")?(.*)$`);
const EXTRA = /(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S+)/g;

/** Extra keys people put after `combined`, mapped to Fulcrum's field names. */
const EXTRA_ALIASES: Record<string, string> = {
  upstream_addr: 'upstream',
  upstream: 'upstream',
  ua: 'upstream',
  upstream_status: 'upstreamStatus',
  us: 'upstreamStatus',
  request_time: 'requestTime',
  rt: 'requestTime',
  upstream_response_time: 'upstreamResponseTime',
  urt: 'upstreamResponseTime',
  upstream_connect_time: 'upstreamConnectTime',
  uct: 'upstreamConnectTime',
};

function timeLocal(m: RegExpExecArray, at: number): number {
  const mo = MONTHS[m[at + 1]];
  const off = zoneOffset(m[at + 7]);
  if (mo === undefined || off === null) return NaN;
  return (
    Date.UTC(
      Number(m[at + 2]),
      mo,
      Number(m[at]),
      Number(m[at + 3]),
      Number(m[at + 4]),
      Number(m[at + 5]),
      fracMs(m[at + 6]),
    ) -
    off * 60_000
  );
}

const unquote = (v: string) => (v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

/** host:port list of an upstream field: `10.0.0.1:2379, 10.0.0.2:2379 : 10.0.0.3:2379`, `grpc://h:p`. */
export function upstreamAddrs(v: string): string[] {
  return v
    .split(/\s*[,:]\s+|\s+:\s*/)
    .map((s) =>
      s
        .trim()
        .replace(/^[a-z0-9+.-]+:\/\//i, '')
        .replace(/\/.*$/, ''),
    )
    .filter((s) => /^[^\s]+:\d+$/.test(s));
}

export function parseNginxAccess(line: string, _ctx: ParseContext): Parsed | null {
  let m = COMBINED.exec(line);
  if (m) {
    const t = timeLocal(m, 3);
    const fields: Record<string, string> = { client: m[1], status: m[12], bytes: m[13], request: clip(m[11]) };
    if (m[2] !== '-') fields.user = m[2];
    if (m[14] !== undefined && m[14] !== '-') fields.referer = clip(m[14], 500);
    if (m[15] !== undefined) fields.userAgent = clip(m[15], 500);
    const rest = m[16] ?? '';
    for (const e of rest.matchAll(EXTRA)) {
      const k = EXTRA_ALIASES[e[1]] ?? e[1];
      if (Object.keys(fields).length < 40) fields[k] = clip(unquote(e[2]));
    }
    // A bare trailing quoted host:port (common custom formats put "$upstream_addr" last).
    if (!fields.upstream) {
      const q = /"([^"\s]+:\d+(?:, [^"\s]+:\d+)*)"\s*$/.exec(rest);
      if (q) fields.upstream = q[1];
    }
    return {
      t: Number.isFinite(t) ? t : null,
      level: null,
      msg: `${m[11]} → ${m[12]}`,
      fields,
      format: 'nginx-access',
    };
  }
  m = STREAM.exec(line);
  if (m) {
    const t = timeLocal(m, 2);
    const fields: Record<string, string> = {
      client: m[1],
      protocol: m[10],
      status: m[11],
      bytesSent: m[12],
      bytesReceived: m[13],
      sessionTime: m[14],
    };
    if (m[15] !== undefined && m[15] !== '-' && m[15] !== '') fields.upstream = m[15];
    return {
      t: Number.isFinite(t) ? t : null,
      level: null,
      msg: `${m[10]} session → ${m[11]}`,
      fields,
      format: 'nginx-access',
    };
  }
  return null;
}

const ERROR_LEVELS: Record<string, LogLevel> = {
  debug: 'debug',
  info: 'info',
  notice: 'info',
  warn: 'warn',
  error: 'error',
  crit: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
};
const ERROR_LINE =
  /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \[(debug|info|notice|warn|error|crit|alert|emerg)\] (\d+)#(\d+): (?:\*(\d+) )?(.*)$/;
const CONTEXT_KEYS = ['client', 'server', 'request', 'upstream', 'host', 'referrer'];

/** The error log's time is the NGINX host's local time. */
export function parseNginxError(line: string, ctx: ParseContext): Parsed | null {
  const m = ERROR_LINE.exec(line);
  if (!m) return null;
  const t = localTime(ctx, Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), 0);
  const fields: Record<string, string> = { pid: m[8], tid: m[9] };
  if (m[10]) fields.connection = m[10];
  let msg = m[11];
  // "…while connecting to upstream, client: 1.2.3.4, server: , request: "…", upstream: "…", host: "…""
  const at = msg.search(/, client: /);
  if (at >= 0) {
    const tail = msg.slice(at);
    msg = msg.slice(0, at);
    const re = new RegExp(String.raw`, (${CONTEXT_KEYS.join('|')}): ("(?:[^"\\]|\\.)*"|[^,]*)`, 'g');
    for (const p of tail.matchAll(re)) fields[p[1]] = clip(unquote(p[2].trim()));
  }
  return { t: Number.isFinite(t) ? t : null, level: ERROR_LEVELS[m[7]], msg, fields, format: 'nginx-error' };
}
