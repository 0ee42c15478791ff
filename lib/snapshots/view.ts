// Pure helpers the snapshot pages share (browser-safe: no Node imports).
import { RANGES, RANGE_MS, type RangeId } from '../client/viewParams';
import type { SnapshotExpiry } from '../store/types';

/** The smallest range preset that shows the whole window. */
export function rangeForWindow(ms: number): RangeId {
  return RANGES.find((r) => RANGE_MS[r] >= ms - 1000) ?? '24h';
}

export const EXPIRY_LABEL: Record<SnapshotExpiry, string> = {
  '1h': '1 hour',
  '1d': '1 day',
  '1w': '1 week',
  never: 'never',
};

/** "15 min", "1 h", "2 h 30 min" for a window length in ms. */
export function formatWindow(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 1) return `${Math.round(ms / 1000)} s`;
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** The member a drill-down path segment names: its name, or its endpoint URL-encoded. */
export function findMember<T extends { name: string; endpoint: string }>(
  members: readonly T[],
  segment: string,
): T | undefined {
  let s = segment;
  try {
    s = decodeURIComponent(segment);
  } catch {
    // keep as is
  }
  return members.find((m) => m.name === s) ?? members.find((m) => m.endpoint === s);
}

import { LOG_LEVELS, type LogLevel, type LogLine, type LogSourceError, type SignalCount } from '../logs/types';
import type { MemberExcerpt, SnapshotLogs } from '../store/types';

const REASON_LABEL: Record<MemberExcerpt['lines'][number]['reason'], string> = {
  finding: 'near a finding’s start',
  signal: 'signal line in the window',
  context: 'warning in the window',
};

/** A member's frozen excerpt as the log panel's data: lines newest first, signal counts per minute. */
export function excerptPanelData(
  logs: SnapshotLogs,
  endpoint: string,
): {
  lines: LogLine[];
  errors: LogSourceError[];
  notes: LogSourceError[];
  signalCounts: SignalCount[];
  truncated: boolean;
  hasMore: false;
} {
  const ex = logs.members.find((m) => m.endpoint === endpoint);
  const notes: LogSourceError[] =
    logs.status === 'ok'
      ? []
      : [{ source: 'member', message: `no log excerpts in this snapshot: ${logs.note ?? logs.status}` }];
  if (!ex) return { lines: [], errors: [], notes, signalCounts: [], truncated: false, hasMore: false };
  const lines: LogLine[] = [...ex.lines].reverse().map((l) => ({
    t: l.t,
    member: ex.endpoint,
    source: l.source,
    level: (LOG_LEVELS as readonly string[]).includes(l.level ?? '') ? (l.level as LogLevel) : null,
    msg: l.msg,
    fields: { excerpt: REASON_LABEL[l.reason] },
    raw: l.raw,
    signals: [...l.signals],
    format: 'raw',
  }));
  const counts = new Map<string, SignalCount>();
  for (const l of ex.lines) {
    if (l.t === null) continue;
    const minute = Math.floor(l.t / 60_000) * 60_000;
    for (const s of l.signals) {
      const k = `${minute}|${s}`;
      const c = counts.get(k) ?? { minute, signal: s, count: 0 };
      c.count++;
      counts.set(k, c);
    }
  }
  return {
    lines,
    errors: ex.errors.map((message) => ({ source: 'member', message })),
    notes,
    signalCounts: [...counts.values()].sort((a, b) => a.minute - b.minute),
    truncated: ex.truncated,
    hasMore: false,
  };
}
