// etcd's own log formats: zap JSON (3.4 with --logger zap, the default from 3.5) and the older
// capnslog plain text, which 3.4 still writes for a few packages (e.g. etcdhttp's /health
// errors) even when zap is on, so one member log can hold both.
import type { LogLevel } from '../types';
import {
  clip,
  fracMs,
  localTime,
  MAX_FIELDS,
  readSyslogHeader,
  zoneOffset,
  type ParseContext,
  type Parsed,
} from './common';

const ZAP_LEVELS: Record<string, LogLevel> = {
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  dpanic: 'error',
  panic: 'fatal',
  fatal: 'fatal',
};

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?$/;

/** zap's `ts`: an ISO-8601 string (etcd 3.4/3.5) or epoch seconds as a number (zap's default). */
export function zapTime(ts: unknown, ctx: ParseContext): number | null {
  if (typeof ts === 'number' && Number.isFinite(ts)) return ts > 1e11 ? Math.round(ts) : Math.round(ts * 1000);
  if (typeof ts !== 'string') return null;
  const m = ISO.exec(ts);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (m[8] === undefined) {
    const t = localTime(ctx, y, mo - 1, d, h, mi, s, fracMs(m[7]));
    return Number.isFinite(t) ? t : null;
  }
  const off = zoneOffset(m[8]);
  if (off === null) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, fracMs(m[7])) - off * 60_000;
  return Number.isFinite(t) ? t : null;
}

/** One zap JSON line, or null when the line isn't a JSON object with a message or level. */
export function parseEtcdJson(line: string, ctx: ParseContext): Parsed | null {
  const s = line.trimStart();
  if (s[0] !== '{') return null;
  let o: unknown;
  try {
    o = JSON.parse(s);
  } catch {
    return null;
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return null;
  const rec = o as Record<string, unknown>;
  if (typeof rec.msg !== 'string' && typeof rec.level !== 'string') return null;
  const fields: Record<string, string> = {};
  let n = 0;
  for (const k in rec) {
    if (k === 'level' || k === 'ts' || k === 'msg') continue;
    if (n++ >= MAX_FIELDS) {
      fields['…'] = 'more fields not shown';
      break;
    }
    const v = rec[k];
    fields[clip(k, 100)] = clip(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));
  }
  return {
    t: zapTime(rec.ts, ctx),
    level: typeof rec.level === 'string' ? (ZAP_LEVELS[rec.level.toLowerCase()] ?? null) : null,
    msg: typeof rec.msg === 'string' ? rec.msg : '',
    fields,
    format: 'etcd-json',
  };
}

const CAPNSLOG_LEVELS: Record<string, LogLevel> = {
  T: 'debug',
  D: 'debug',
  I: 'info',
  N: 'info',
  W: 'warn',
  E: 'error',
  C: 'fatal',
};
const CAPNSLOG =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? ([TDINWEC]) \| (?:([A-Za-z0-9_./-]+): )?(.*)$/;

/**
 * capnslog, etcd's format before zap: `2019-10-22 15:28:14.190434 W | etcdserver: msg`, in the
 * local time of the etcd host. A syslog/journald prefix (`Nov 25 10:00:00 host etcd[42]: `) is
 * skipped.
 */
export function parseEtcdText(line: string, ctx: ParseContext): Parsed | null {
  let body = line;
  if (!/^\d{4}-/.test(body)) {
    const h = readSyslogHeader(body, ctx);
    if (!h) return null;
    body = body.slice(h.bodyAt);
  }
  const m = CAPNSLOG.exec(body);
  if (!m) return null;
  const t = localTime(
    ctx,
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    fracMs(m[7]),
  );
  const fields: Record<string, string> = {};
  if (m[9]) fields.pkg = m[9];
  return {
    t: Number.isFinite(t) ? t : null,
    level: CAPNSLOG_LEVELS[m[8]] ?? null,
    msg: m[10],
    fields,
    format: 'etcd-text',
  };
}
