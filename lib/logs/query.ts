// The logs of one member over a time window: its own log and the balancer's lines about it,
// from files or Loki as configured, merged newest first, paged, searchable, with per-minute
// signal counts. What the logs API and the member page call.
import { NotFoundError, ValidationError } from '../errors';
import type { ClusterConfig } from '../config/load';
import type { LogsConfig } from './config';
import { countsToList, mergeCounts, type LineFilter, type Positioned } from './collect';
import { decodeCursor, encodeCursor, type Cursor, type FilePos, type LokiPos, type SourcePos } from './cursor';
import { readFileWindow, type FileLimits, type SourceResult } from './file';
import { LOKI_MEMBER_SIGNALS, logqlString, re2Literal, readLokiWindow } from './loki';
import { findMember, memberTarget, parseContextFor, type MemberLogTarget, type RuntimeNames } from './members';
import type { LogLevel, LogPage, LogQuery, LogSource, LogSourceError } from './types';

export const MAX_LIMIT = 1000;
export const MAX_WINDOW_MS = 24 * 3600_000;
export const MAX_Q_CHARS = 200;

export interface QueryLogsOptions {
  /** Member names etcd reports, by endpoint (HAProxy servers are often named after them). */
  names?: RuntimeNames;
  now?: number;
  /** Bounds of file reads (tests and the benchmark shrink or grow them). */
  fileLimits?: Partial<FileLimits>;
  env?: Record<string, string | undefined>;
}

/** Where a source of this member's logs lives, per the config. */
type SourceConfig = { kind: 'file'; pattern: string } | { kind: 'loki'; selector: string } | null;

function sourceConfig(logs: LogsConfig | null, target: MemberLogTarget, source: LogSource): SourceConfig {
  if (!logs) return null;
  if (source === 'member') {
    if (target.file) return { kind: 'file', pattern: target.file };
    if (target.loki) return { kind: 'loki', selector: target.loki };
    return null;
  }
  if (logs.balancer) return { kind: 'file', pattern: logs.balancer };
  if (logs.loki?.balancer) return { kind: 'loki', selector: logs.loki.balancer };
  return null;
}

function notConfigured(source: LogSource, target: MemberLogTarget): string {
  const who = target.endpoint.name ?? target.endpoint.url;
  return source === 'member'
    ? `no log is configured for ${who}: add logs.members.${target.endpoint.name ?? `"${target.endpoint.url}"`} (a file or glob) or logs.loki.members to the config`
    : 'no balancer log is configured: add logs.balancer (a file or glob) or logs.loki.balancer to the config';
}

/** Validated, bounded query (throws ValidationError with a message naming the parameter). */
export function checkQuery(
  q: LogQuery,
): Required<Omit<LogQuery, 'q' | 'level' | 'cursor' | 'signalsOnly'>> &
  Pick<LogQuery, 'q' | 'level' | 'cursor' | 'signalsOnly'> {
  if (!Number.isFinite(q.from) || !Number.isFinite(q.to))
    throw new ValidationError('from and to must be times in ms since the epoch');
  if (q.from >= q.to) throw new ValidationError('from must be before to');
  if (q.to - q.from > MAX_WINDOW_MS)
    throw new ValidationError(`the window is longer than ${MAX_WINDOW_MS / 3600_000} h`);
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_LIMIT)
    throw new ValidationError(`limit must be 1..${MAX_LIMIT}`);
  if (q.q !== undefined && q.q.length > MAX_Q_CHARS)
    throw new ValidationError(`q is longer than ${MAX_Q_CHARS} characters`);
  return { ...q, source: q.source ?? 'both', q: q.q?.trim() ? q.q.trim() : undefined };
}

/**
 * One page of a member's logs between q.from and q.to (ms), newest first. `member` is a
 * configured name, endpoint URL or host:port. Sources that fail (missing file, Loki down) are
 * reported in `errors`; the others still answer.
 */
export async function queryLogs(
  cluster: ClusterConfig,
  member: string,
  query: LogQuery,
  opts: QueryLogsOptions = {},
): Promise<LogPage> {
  const q = checkQuery(query);
  const ep = findMember(cluster, member, opts.names);
  if (!ep) throw new NotFoundError(`no member ${JSON.stringify(member.slice(0, 100))} in cluster ${cluster.name}`);
  const target = memberTarget(cluster, ep, opts.names);
  let cursor: Cursor = {};
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    if (c instanceof Error) throw new ValidationError(`invalid parameter cursor: ${c.message}`);
    cursor = c;
  }
  const first = !q.cursor;
  const logs = cluster.logs as LogsConfig | null;
  const ctx = parseContextFor(cluster, opts.now ?? Date.now());
  const wanted: LogSource[] = q.source === 'both' ? ['member', 'balancer'] : [q.source];
  const errors: LogSourceError[] = [];
  const notes: LogSourceError[] = [];

  const runs = wanted.map(async (source): Promise<{ source: LogSource; res: SourceResult<SourcePos> | null }> => {
    const key = source === 'member' ? 'm' : 'b';
    const at = cursor[key];
    if (at === 0) return { source, res: null }; // nothing older left
    const cfg = sourceConfig(logs, target, source);
    if (!cfg) {
      if (first) notes.push({ source, message: notConfigured(source, target) });
      return { source, res: null };
    }
    const filter: LineFilter = {
      source,
      from: q.from,
      to: q.to,
      ctx,
      target,
      q: q.q ?? null,
      level: (q.level as LogLevel | undefined) ?? null,
      signalsOnly: q.signalsOnly === true,
    };
    if (cfg.kind === 'file') {
      if (at && at.k !== 'f') throw new ValidationError('invalid parameter cursor: not a cursor of this source');
      const res = await readFileWindow(cfg.pattern, filter, {
        limit: q.limit,
        cursor: (at as FilePos | undefined) ?? null,
        countSignals: first,
        limits: opts.fileLimits,
      });
      return { source, res };
    }
    if (at && at.k !== 'l') throw new ValidationError('invalid parameter cursor: not a cursor of this source');
    const loki = logs!.loki!;
    const stages: string[] = [];
    if (source === 'balancer')
      stages.push(
        `|~ ${logqlString([...target.aliases.map(re2Literal), '<NOSRV>', 'no live upstreams', 'has no server available'].join('|'))}`,
      );
    const countStages = [...stages];
    if (source === 'member') countStages.push(`|~ ${logqlString(LOKI_MEMBER_SIGNALS)}`);
    if (q.q) stages.push(`|~ ${logqlString(`(?i)${re2Literal(q.q)}`)}`);
    if (q.signalsOnly && source === 'member') stages.push(`|~ ${logqlString(LOKI_MEMBER_SIGNALS)}`);
    const res = await readLokiWindow(
      {
        url: loki.url,
        tenant: loki.tenant,
        bearerTokenEnv: loki.bearerTokenEnv,
        timeoutMs: loki.timeoutMs,
        maxLines: loki.maxLines,
        env: opts.env,
      },
      cfg.selector,
      filter,
      {
        limit: q.limit,
        cursor: (at as LokiPos | undefined) ?? null,
        countSignals: first,
        pipeline: stages.join(' '),
        countPipeline: countStages.join(' '),
      },
    );
    return { source, res };
  });
  const done = await Promise.all(runs);

  // Merge newest first; a line without a time sorts with the line before it in its source.
  type Item = Positioned<SourcePos> & { source: LogSource; key: number };
  const lists: Item[][] = done.map(({ source, res }) => {
    let prevKey = Infinity;
    return (res?.items ?? []).map((it) => {
      const key = it.line.t ?? prevKey;
      prevKey = key;
      return { ...it, source, key };
    });
  });
  const merged: Item[] = [];
  const idx = lists.map(() => 0);
  while (merged.length < q.limit) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      if (idx[i] >= lists[i].length) continue;
      if (best < 0 || lists[i][idx[i]].key > lists[best][idx[best]].key) best = i;
    }
    if (best < 0) break;
    merged.push(lists[best][idx[best]++]);
  }

  const next: Cursor = {};
  let anyLeft = false;
  const counts = new Map<string, number>();
  let scannedBytes = 0;
  let truncated = false;
  done.forEach(({ source, res }, i) => {
    const key = source === 'member' ? 'm' : 'b';
    const prev = cursor[key];
    if (!res) {
      // Not configured or already done: nothing more from it.
      next[key] = 0;
      return;
    }
    scannedBytes += res.scannedBytes;
    if (res.error) errors.push({ source, message: res.error });
    if (res.truncated) {
      truncated = true;
      notes.push({ source, message: `${res.truncated}: showing the newest part of the window` });
    }
    mergeCounts(counts, res.counts);
    const taken = idx[i];
    // Some of its lines wait for the next page: resume after the last one shown (or where it
    // started, absent = the window's end). Otherwise where its scan stopped (null: done).
    let pos: SourcePos | 0 | undefined;
    if (taken < lists[i].length) pos = taken > 0 ? lists[i][taken - 1].pos : prev;
    else pos = res.resume ?? 0;
    if (res.error && !res.items.length) pos = 0; // a broken source: don't page through its error
    if (pos !== undefined) next[key] = pos;
    if (pos !== 0) anyLeft = true;
  });
  // Sources not asked for are done (a cursor belongs to one query).
  for (const k of ['m', 'b'] as const) if (!wanted.includes(k === 'm' ? 'member' : 'balancer')) next[k] = 0;

  return {
    lines: merged.map((m) => m.line),
    nextCursor: anyLeft ? encodeCursor(next) : null,
    errors,
    scannedBytes,
    truncated,
    signalCounts: first ? countsToList(counts) : [],
    notes,
  };
}
