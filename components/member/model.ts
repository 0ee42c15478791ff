// Pure helpers of the member drill-down page: its URL, the series and status strip it draws,
// the findings active in its window, and how untrusted log text is shown. No React, no I/O.
import { formatBytes, formatDuration, formatNumber } from '@/lib/format';
import { frameSpans } from '@/lib/client/frames';
import { bucketSeries } from '@/lib/client/series';
import { LOG_LEVELS, type LogLevel, type LogSourceChoice } from '@/lib/logs/types';
import type { ClusterEvent, DimensionId, Finding, Frame, MemberState, Unit } from '@/lib/types';
import type { LogLine } from '@/lib/logs/types';

/** Default window around a clicked time: ±2.5 min. */
export const CLICK_HALF_WINDOW_MS = 150_000;
export const DEFAULT_WINDOW_MS = 15 * 60_000;
export const MAX_WINDOW_MS = 24 * 3600_000;

/** `/clusters/{name}/members/{member}?from=…&to=…`: the link an SRE pastes into a chat. */
export function memberHref(
  cluster: string,
  member: string,
  from: number,
  to: number,
  extra?: Record<string, string | undefined>,
): string {
  const qs = new URLSearchParams({ from: String(Math.floor(from)), to: String(Math.ceil(to)) });
  for (const [k, v] of Object.entries(extra ?? {})) if (v) qs.set(k, v);
  return `/clusters/${encodeURIComponent(cluster)}/members/${encodeURIComponent(member)}?${qs}`;
}

/** The member page around one moment (a heatmap cell, an event, a finding's start). */
export function memberHrefAt(cluster: string, member: string, t: number, halfMs = CLICK_HALF_WINDOW_MS): string {
  return memberHref(cluster, member, t - halfMs, t + halfMs);
}

type Raw = Record<string, string | string[] | undefined> | URLSearchParams;

function first(p: Raw, k: string): string | undefined {
  if (p instanceof URLSearchParams) return p.get(k) ?? undefined;
  const v = p[k];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The window of the URL (`from`/`to`, ms since epoch). Missing or broken values fall back to
 * the last 15 minutes; a window longer than 24 h keeps its end; `to` before `from` is swapped.
 */
export function parseWindow(p: Raw, now: number): { from: number; to: number; fallback: boolean } {
  const num = (k: string) => {
    const s = first(p, k);
    if (s === undefined || !/^\d{1,16}$/.test(s)) return null;
    const n = Number(s);
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  };
  let from = num('from');
  let to = num('to');
  let fallback = false;
  if (to === null) {
    to = from !== null ? from + DEFAULT_WINDOW_MS : now;
    fallback = from === null;
  }
  if (from === null) {
    from = to - DEFAULT_WINDOW_MS;
    fallback = true;
  }
  if (from > to) [from, to] = [to, from];
  if (from === to) from = to - 60_000;
  if (to - from > MAX_WINDOW_MS) from = to - MAX_WINDOW_MS;
  return { from, to, fallback };
}

export interface MemberPoint {
  t: number;
  /** This member's value (null: no data or down). */
  self: number | null;
  /** The other members' values, by member index (key `m<i>`). */
  [other: `m${number}`]: number | null;
}

/**
 * One chart's points: every frame in [from, to] (at most maxPoints, keeping the largest value of
 * each bucket per member), with a null point in gaps so the lines break.
 */
export function memberSeries(
  frames: readonly Frame[],
  index: number,
  dim: DimensionId,
  from: number,
  to: number,
  pollIntervalMs: number,
  maxPoints = 300,
): MemberPoint[] {
  const n = frames[0]?.values[dim]?.length ?? 0;
  const others = (fill: (k: number) => number | null) => {
    const o: Record<string, number | null> = {};
    for (let k = 0; k < n; k++) if (k !== index) o[`m${k}`] = fill(k);
    return o;
  };
  return bucketSeries<MemberPoint>(
    frames,
    from,
    to,
    pollIntervalMs,
    maxPoints,
    (f) => {
      const vals = f.values[dim] ?? [];
      const at = (k: number) => (f.up[k] === false ? null : (vals[k] ?? null));
      return { t: f.t, self: at(index), ...others(at) };
    },
    (t) => ({ t, self: null, ...others(() => null) }),
  );
}

export type StripState = 'leader' | 'up' | 'down' | 'nodata';

export interface StripSegment {
  from: number;
  to: number;
  state: StripState;
}

/** The member's state over the window, run-length encoded (gaps without frames are `nodata`). */
export function statusSegments(
  frames: readonly Frame[],
  index: number,
  from: number,
  to: number,
  pollIntervalMs: number,
): StripSegment[] {
  const spans = frameSpans(frames, pollIntervalMs);
  const known: StripSegment[] = [];
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    const lo = Math.max(spans[i][0], from);
    const hi = Math.min(spans[i][1], to);
    if (hi <= lo) continue;
    const up = f.up[index];
    const state: StripState = up === undefined ? 'nodata' : !up ? 'down' : f.leader === index ? 'leader' : 'up';
    const last = known[known.length - 1];
    if (last && last.state === state && lo <= last.to + 1) last.to = Math.max(last.to, hi);
    else known.push({ from: lo, to: hi, state });
  }
  const out: StripSegment[] = [];
  let at = from;
  for (const s of known) {
    if (s.from > at + 1) out.push({ from: at, to: s.from, state: 'nodata' });
    out.push(s);
    at = Math.max(at, s.to);
  }
  if (at < to) out.push({ from: at, to, state: 'nodata' });
  return out;
}

function namesOf(m: Pick<MemberState, 'endpoint' | 'name'>): string[] {
  return [m.endpoint, m.name];
}

/**
 * Findings about this member (or the whole cluster) that were active in [from, to]: raised
 * before the window ends. A state holds current findings only, so a finding that was resolved
 * before the page loaded is not among them.
 */
export function findingsInWindow(
  findings: readonly Finding[],
  member: Pick<MemberState, 'endpoint' | 'name'>,
  from: number,
  to: number,
): Finding[] {
  const ids = namesOf(member);
  // Active at some point of the window: raised before it ends, not cleared before it starts.
  return findings.filter(
    (f) =>
      f.since <= to &&
      (f.until === undefined || f.until >= from) &&
      (f.members.length === 0 || f.members.some((x) => ids.includes(x))),
  );
}

export function eventsInWindow(
  events: readonly ClusterEvent[],
  member: Pick<MemberState, 'endpoint' | 'name'>,
  from: number,
  to: number,
): ClusterEvent[] {
  const ids = namesOf(member);
  return events
    .filter((e) => e.t >= from && e.t <= to && (e.member === null || ids.includes(e.member)))
    .sort((a, b) => b.t - a.t);
}

/**
 * Log text is untrusted: React renders it as text (never HTML); control characters (ANSI
 * escapes, NUL, bells…) are made visible instead of being passed to the page.
 */
export function visibleText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) =>
    c === '\u001b' ? '␛' : c === '\u007f' ? '␡' : String.fromCharCode(0x2400 + c.charCodeAt(0)),
  );
}

/** Splits text around case-insensitive occurrences of q (for <mark>); at most 50 marks. */
export function splitHighlight(text: string, q: string | null | undefined): Array<{ text: string; hit: boolean }> {
  if (!q) return [{ text, hit: false }];
  const out: Array<{ text: string; hit: boolean }> = [];
  const lower = text.toLowerCase();
  const needle = q.toLowerCase();
  let i = 0;
  for (let hits = 0; hits < 50; hits++) {
    const j = lower.indexOf(needle, i);
    if (j < 0 || needle.length === 0) break;
    if (j > i) out.push({ text: text.slice(i, j), hit: false });
    out.push({ text: text.slice(j, j + needle.length), hit: true });
    i = j + needle.length;
  }
  if (i < text.length) out.push({ text: text.slice(i), hit: false });
  return out;
}

/** Per-minute signal counts bucketed so that a long window keeps at most `maxCols` columns. */
export function signalGrid(
  counts: ReadonlyArray<{ minute: number; signal: string; count: number }>,
  from: number,
  to: number,
  maxCols = 30,
): { columns: number[]; stepMs: number; rows: Array<{ signal: string; total: number; cells: number[] }> } {
  const start = Math.floor(from / 60_000) * 60_000;
  const minutes = Math.max(1, Math.ceil((to - start) / 60_000));
  const per = Math.max(1, Math.ceil(minutes / maxCols));
  const stepMs = per * 60_000;
  const cols = Math.ceil(minutes / per);
  const columns = Array.from({ length: cols }, (_, i) => start + i * stepMs);
  const rows = new Map<string, number[]>();
  for (const c of counts) {
    const i = Math.floor((c.minute - start) / stepMs);
    if (i < 0 || i >= cols) continue;
    if (!rows.has(c.signal)) rows.set(c.signal, new Array(cols).fill(0));
    rows.get(c.signal)![i] += c.count;
  }
  return {
    columns,
    stepMs,
    rows: [...rows].map(([signal, cells]) => ({ signal, total: cells.reduce((a, b) => a + b, 0), cells })),
  };
}

/** The log query of the URL (`q`, `level`, `source`); anything else falls back to "all". */
export function parseLogQuery(p: Raw): { q: string; level: LogLevel | ''; source: LogSourceChoice; signals: boolean } {
  const level = first(p, 'level');
  const source = first(p, 'source');
  return {
    q: (first(p, 'q') ?? '').slice(0, 200),
    level: (LOG_LEVELS as readonly string[]).includes(level ?? '') ? (level as LogLevel) : '',
    source: source === 'member' || source === 'balancer' ? source : 'both',
    signals: first(p, 'signals') === '1',
  };
}

/** A chart axis tick: short, the unit is in the chart's caption (7.8 KiB, 45 ms, 1.2k). */
export function axisTick(v: number, unit: Unit): string {
  if (!Number.isFinite(v)) return '';
  if (unit === 'B' || unit === 'B/s') return formatBytes(v).replace(' ', '\u00a0');
  if (unit === 's') return formatDuration(v).replace(' ', '\u00a0');
  return formatNumber(v);
}

/**
 * What a log row shows. HAProxy traffic lines are summarised (who, how it ended, how long, how
 * much); every other line shows its message. The raw line is one click away.
 */
export function lineSummary(l: Pick<LogLine, 'format' | 'msg' | 'raw' | 'fields'>): string {
  const f = l.fields;
  if (l.format === 'haproxy' && f.frontend && f.server) {
    const term = f.termination === '--' ? 'ended normally' : `ended ${f.termination}`;
    if (f.status !== undefined) {
      return `${f.request ?? '(no request line)'} → ${f.backend}/${f.server} · status ${f.status} · ${term} · ${f.Ta} ms · ${f.bytes} B · from ${f.client}`;
    }
    return `TCP session ${f.frontend} → ${f.backend}/${f.server} · ${term} · ${f.Tt} ms (connect ${f.Tc} ms) · ${f.bytes} B · from ${f.client}`;
  }
  return l.msg || l.raw;
}
