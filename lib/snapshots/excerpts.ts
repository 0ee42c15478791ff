// Log excerpts frozen into a snapshot: per member, the lines around each finding's start and
// the signal lines (and other warnings) in the window, bounded. The reading itself is done by
// lib/logs (files or Loki); this only chooses and bounds.
import type { ClusterConfig } from '../config/load';
import type { LogLine, LogPage, LogQuery } from '../logs/types';
import type { ExcerptLine, MemberExcerpt, SnapshotLogs, SnapshotWindow } from '../store/types';
import type { ClusterState } from '../types';

export type QueryLogsFn = (cluster: ClusterConfig, member: string, q: LogQuery) => Promise<LogPage>;

export const EXCERPT_LINES_PER_MEMBER = 200;
/** Lines kept around each finding's start (before and after together). */
export const LINES_PER_FINDING = 40;
/** How far around a finding's start to look. */
export const FINDING_SPAN_MS = 60_000;
const MAX_MSG = 2000;
const MAX_RAW = 4000;

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function toExcerpt(l: LogLine, reason: ExcerptLine['reason']): ExcerptLine {
  return {
    t: l.t,
    source: l.source,
    level: l.level,
    msg: clip(l.msg, MAX_MSG),
    raw: clip(l.raw, MAX_RAW),
    signals: [...l.signals],
    reason,
  };
}

const RANK: Record<ExcerptLine['reason'], number> = { finding: 0, signal: 1, context: 2 };

/**
 * Keeps at most `limit` lines: finding lines first, then signal lines, then context, newest
 * first within each; returned oldest first. Duplicates (same time and raw text) collapse to the
 * most important reason.
 */
export function boundExcerpt(lines: ExcerptLine[], limit: number): { lines: ExcerptLine[]; truncated: boolean } {
  const byKey = new Map<string, ExcerptLine>();
  for (const l of lines) {
    const k = `${l.t ?? ''}|${l.source}|${l.raw}`;
    const have = byKey.get(k);
    if (!have || RANK[l.reason] < RANK[have.reason]) byKey.set(k, l);
  }
  const uniq = [...byKey.values()];
  const truncated = uniq.length > limit;
  const kept = truncated
    ? uniq.sort((a, b) => RANK[a.reason] - RANK[b.reason] || (b.t ?? 0) - (a.t ?? 0)).slice(0, limit)
    : uniq;
  return { lines: kept.sort((a, b) => (a.t ?? 0) - (b.t ?? 0)), truncated };
}

/** Does the cluster name any log source (files or Loki)? */
export function hasLogSources(cluster: Pick<ClusterConfig, 'logs'>): boolean {
  const l = cluster.logs;
  if (!l) return false;
  return (
    Object.keys(l.members ?? {}).length > 0 ||
    Boolean(l.balancer) ||
    Boolean(l.loki && (Object.keys(l.loki.members ?? {}).length > 0 || l.loki.balancer))
  );
}

export async function collectExcerpts(
  cluster: ClusterConfig,
  state: ClusterState,
  window: SnapshotWindow,
  queryLogs: QueryLogsFn | null,
  limitPerMember = EXCERPT_LINES_PER_MEMBER,
): Promise<SnapshotLogs> {
  if (!hasLogSources(cluster)) {
    return {
      status: 'no-log-sources',
      note: 'no log sources are configured for this cluster',
      members: [],
      lineCount: 0,
    };
  }
  if (!queryLogs) {
    return { status: 'unavailable', note: 'this Fulcrum cannot read logs', members: [], lineCount: 0 };
  }
  const members: MemberExcerpt[] = await Promise.all(
    state.members.map(async (m): Promise<MemberExcerpt> => {
      const errors: string[] = [];
      const lines: ExcerptLine[] = [];
      let truncated = false;
      const run = async (q: LogQuery, reason: ExcerptLine['reason'] | 'by-signal') => {
        try {
          const page = await queryLogs(cluster, m.endpoint, q);
          for (const e of page.errors) errors.push(`${e.source}: ${e.message}`);
          if (page.truncated || page.nextCursor) truncated = true;
          for (const l of page.lines) {
            lines.push(toExcerpt(l, reason === 'by-signal' ? (l.signals.length > 0 ? 'signal' : 'context') : reason));
          }
        } catch (e) {
          errors.push((e as Error).message);
        }
      };
      // Lines around each finding about this member (or about the whole cluster).
      const findings = state.findings.filter(
        (f) => f.members.length === 0 || f.members.includes(m.endpoint) || f.members.includes(m.name),
      );
      for (const f of findings) {
        const from = Math.max(window.from, f.since - FINDING_SPAN_MS / 2);
        const to = Math.min(window.to, f.since + FINDING_SPAN_MS / 2);
        // The member's own log only: the balancer's access lines would crowd it out (its
        // signal lines come with the query below).
        if (from < to) await run({ from, to, limit: LINES_PER_FINDING, source: 'member' }, 'finding');
      }
      // Signal lines and other warnings in the window.
      await run(
        { from: window.from, to: window.to, level: 'warn', limit: limitPerMember, source: 'both' },
        'by-signal',
      );
      const bounded = boundExcerpt(lines, limitPerMember);
      return {
        member: m.name,
        endpoint: m.endpoint,
        lines: bounded.lines,
        truncated: truncated || bounded.truncated,
        errors: [...new Set(errors)].slice(0, 20),
      };
    }),
  );
  return { status: 'ok', note: null, members, lineCount: members.reduce((n, m) => n + m.lines.length, 0) };
}
