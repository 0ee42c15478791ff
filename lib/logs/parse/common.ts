// Shared bits of the log parsers: times written without a zone, syslog headers, field values.
// Pure: the only context is what ParseContext carries.
import type { LogFormat, LogLevel, LogLine } from '../types';

export interface ParseContext {
  /**
   * Minutes east of UTC for times written without a zone (capnslog, HAProxy, NGINX error log);
   * null: the zone of the Fulcrum server process (right when the logs come from the same host).
   */
  utcOffsetMin: number | null;
  /** "Now" in ms, to pick the year of RFC 3164 syslog dates, which have none. */
  now: number;
}

export const DEFAULT_CONTEXT: ParseContext = { utcOffsetMin: null, now: 0 };

/** What a format parser reads from one line; the caller adds source, member, raw and signals. */
export type Parsed = Pick<LogLine, 't' | 'level' | 'msg' | 'fields' | 'format'>;

export const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** Field values are bounded: a hostile or broken line can't make a huge object. */
export const MAX_FIELDS = 64;
export const MAX_FIELD_CHARS = 2_000;

export function clip(s: string, n = MAX_FIELD_CHARS): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** A wall-clock time without zone → ms since epoch, per the context's offset. NaN if invalid. */
export function localTime(
  ctx: ParseContext,
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): number {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return NaN;
  if (ctx.utcOffsetMin === null) return new Date(y, mo, d, h, mi, s, ms).getTime();
  return Date.UTC(y, mo, d, h, mi, s, ms) - ctx.utcOffsetMin * 60_000;
}

/** Fraction digits ("123456") → whole ms. */
export function fracMs(frac: string | undefined): number {
  if (!frac) return 0;
  return Math.floor(Number(`0.${frac}`) * 1000);
}

/** "+0100", "-05:30", "Z" → minutes east of UTC; null when not a zone. */
export function zoneOffset(z: string): number | null {
  if (z === 'Z' || z === 'z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(z);
  if (!m) return null;
  const v = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -v : v;
}

/** RFC 3164 has no year: take the one that puts the date closest to (and not far after) now. */
export function syslogYear(ctx: ParseContext, mo: number, d: number): number {
  const now = new Date(ctx.now || Date.now());
  const y = now.getUTCFullYear();
  // A December line read in early January belongs to last year; a January line read in
  // late December (clock skew) to next year.
  if (mo === 11 && now.getUTCMonth() === 0) return y - 1;
  if (mo === 0 && now.getUTCMonth() === 11 && d <= 7) return y + 1;
  return y;
}

/** Syslog severity (PRI & 7) → level. */
export function syslogLevel(pri: number): LogLevel {
  const sev = pri & 7;
  if (sev === 0) return 'fatal';
  if (sev <= 3) return 'error';
  if (sev === 4) return 'warn';
  if (sev === 7) return 'debug';
  return 'info';
}

export interface SyslogHeader {
  pri: number | null;
  /** Time of the header (second resolution for RFC 3164), NaN when absent. */
  t: number;
  host: string | null;
  tag: string | null;
  pid: string | null;
  /** Where the message starts in the line. */
  bodyAt: number;
}

const RFC3164 =
  /^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (?:(\S+) )?([A-Za-z0-9_./-]+?)(?:\[(\d+)\])?: /;
const RFC5424 =
  /^<(\d{1,3})>1 (\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2}) (\S+) (\S+) (\S+) \S+ (?:-|\[.*?\]) /;

/** Reads an RFC 3164 or RFC 5424 syslog header, or returns null when the line has none. */
export function readSyslogHeader(line: string, ctx: ParseContext): SyslogHeader | null {
  let m = RFC3164.exec(line);
  if (m) {
    const mo = MONTHS[m[2]];
    if (mo === undefined) return null;
    const d = Number(m[3]);
    const t = localTime(ctx, syslogYear(ctx, mo, d), mo, d, Number(m[4]), Number(m[5]), Number(m[6]), 0);
    return {
      pri: m[1] ? Number(m[1]) : null,
      t,
      host: m[7] ?? null,
      tag: m[8],
      pid: m[9] ?? null,
      bodyAt: m[0].length,
    };
  }
  m = RFC5424.exec(line);
  if (m) {
    const off = zoneOffset(m[9]) ?? 0;
    const t =
      Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]), fracMs(m[8])) -
      off * 60_000;
    return {
      pri: Number(m[1]),
      t,
      host: m[10] === '-' ? null : m[10],
      tag: m[11] === '-' ? null : m[11],
      pid: m[12] === '-' ? null : m[12],
      bodyAt: m[0].length,
    };
  }
  return null;
}

export function finite(t: number): number | null {
  return Number.isFinite(t) ? t : null;
}

export function emptyParsed(format: LogFormat, msg: string): Parsed {
  return { t: null, level: null, msg, fields: {}, format };
}
