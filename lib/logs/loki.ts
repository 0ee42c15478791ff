// Loki (or anything that speaks its HTTP API) as a log source: `/loki/api/v1/query_range` with
// the configured stream selector, bounded in lines, bytes and time. The URL and selectors come
// from the config only; a request adds at most a search text, escaped as a LogQL string.
import { httpGet, HttpError } from '../sources/http';
import { Collector, type LineFilter } from './collect';
import type { LokiPos } from './cursor';
import type { SourceResult } from './file';

export interface LokiOptions {
  url: string;
  tenant?: string;
  /** Name of the env var with a bearer token (read at query time; never logged). */
  bearerTokenEnv?: string;
  timeoutMs: number;
  /** Lines asked of Loki per request, in total over the pages it takes. */
  maxLines: number;
  env?: Record<string, string | undefined>;
}

export interface LokiEntry {
  /** ns since epoch. */
  ns: bigint;
  line: string;
}

export class LokiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LokiError';
  }
}

/** A LogQL string literal. */
export function logqlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** RE2-escaped literal (for `|~` filters). */
export function re2Literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Loki-side prefilter of member lines that may carry a signal (RE2 has no lookbehind: this is a
 * superset; the exact signals are matched here after the lines arrive).
 */
export const LOKI_MEMBER_SIGNALS =
  '(?i)took too long|slow fdatasync|sync duration of|failed to send out heartbeat|failed to connect to member|peer became inactive|failed to reach the peer URL|prober detected unhealthy|could not connect|TCP streaming connection|failed to dial|lost leader|elected leader|changed leader from|DeadlineExceeded|deadline exceeded|connection reset by peer|database space exceeded|NOSPACE';

/** One query_range call; entries of every stream, newest first. */
export async function lokiQueryRange(
  opts: LokiOptions,
  query: string,
  startNs: bigint,
  endNs: bigint,
  limit: number,
): Promise<{ entries: LokiEntry[]; bytes: number }> {
  const qs = new URLSearchParams({
    query,
    start: startNs.toString(),
    end: endNs.toString(),
    limit: String(limit),
    direction: 'backward',
  });
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.tenant) headers['X-Scope-OrgID'] = opts.tenant;
  if (opts.bearerTokenEnv) {
    const tok = (opts.env ?? process.env)[opts.bearerTokenEnv];
    if (!tok) throw new LokiError(`environment variable ${opts.bearerTokenEnv} (logs.loki.bearerTokenEnv) is not set`);
    headers.Authorization = `Bearer ${tok}`;
  }
  const url = `${opts.url}/loki/api/v1/query_range?${qs}`;
  let res: Awaited<ReturnType<typeof httpGet>>;
  try {
    res = await httpGet(url, { timeoutMs: opts.timeoutMs, maxBytes: 32 * 1024 * 1024, headers });
  } catch (e) {
    const msg = e instanceof HttpError ? e.message : String(e);
    throw new LokiError(`Loki at ${opts.url} did not answer: ${msg}`);
  }
  if (res.status !== 200) {
    let detail = res.body.slice(0, 200).replace(/\s+/g, ' ').trim();
    try {
      const j = JSON.parse(res.body) as { message?: string; error?: string };
      detail = j.message ?? j.error ?? detail;
    } catch {
      // plain-text error body
    }
    throw new LokiError(`Loki at ${opts.url} answered HTTP ${res.status}${detail ? `: ${detail.slice(0, 200)}` : ''}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    throw new LokiError(`Loki at ${opts.url} answered something that is not JSON`);
  }
  const data = (body as { status?: string; data?: { resultType?: string; result?: unknown } }).data;
  if (
    (body as { status?: string }).status !== 'success' ||
    !data ||
    data.resultType !== 'streams' ||
    !Array.isArray(data.result)
  ) {
    throw new LokiError(`Loki at ${opts.url}: unexpected answer (expected status "success" and resultType "streams")`);
  }
  const entries: LokiEntry[] = [];
  for (const stream of data.result as Array<{ values?: unknown }>) {
    if (!stream || !Array.isArray(stream.values)) continue;
    for (const v of stream.values as unknown[]) {
      if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string' || !/^\d{1,20}$/.test(v[0]))
        continue;
      entries.push({ ns: BigInt(v[0]), line: v[1] });
      if (entries.length > limit * 2 + 1000) break; // a server that ignores `limit`
    }
  }
  entries.sort((a, b) => (a.ns < b.ns ? 1 : a.ns > b.ns ? -1 : 0));
  return { entries, bytes: res.body.length };
}

const msToNs = (ms: number) => BigInt(Math.floor(ms)) * 1_000_000n;

export interface LokiWindowOptions {
  limit: number;
  cursor: LokiPos | null;
  countSignals: boolean;
  /** LogQL pipeline stages the caller adds after the selector (search, member filter). */
  pipeline: string;
  /** Stages for the signal-count query (prefilter), or null to count from every line. */
  countPipeline: string | null;
  deadlineMs?: number;
}

/**
 * One Loki source over the window, newest first, through the same Collector as files: pages of
 * `limit` lines (asking Loki again while local filters leave the page short), and the window's
 * signal counts from one more query with a signal prefilter.
 */
export async function readLokiWindow(
  opts: LokiOptions,
  selector: string,
  filter: LineFilter,
  w: LokiWindowOptions,
): Promise<SourceResult<LokiPos>> {
  const deadline = Date.now() + (w.deadlineMs ?? Math.max(opts.timeoutMs * 2, 3_000));
  const collector = new Collector<LokiPos>(filter, w.limit, false);
  let bytes = 0;
  let truncated: string | null = null;
  const startNs = msToNs(filter.from);
  let endNs = w.cursor ? BigInt(w.cursor.e) : msToNs(filter.to) + 1_000_000n;
  let skipAt: bigint | null = w.cursor ? BigInt(w.cursor.e) - 1n : null;
  let skip = w.cursor ? w.cursor.s : 0;
  let asked = 0;
  let exhausted = false;
  const query = `${selector}${w.pipeline}`;
  try {
    while (collector.wantsMore && !exhausted) {
      if (asked >= opts.maxLines) {
        truncated = `Loki line limit of ${opts.maxLines} reached`;
        break;
      }
      if (Date.now() > deadline) {
        truncated = 'time limit reached';
        break;
      }
      const batch = Math.min(Math.max(w.limit + 1, 100), opts.maxLines - asked, 5_000);
      const { entries, bytes: b } = await lokiQueryRange(opts, query, startNs, endNs, batch);
      bytes += b;
      asked += batch;
      if (entries.length < batch) exhausted = true;
      let seenAtSkip = 0;
      let oldest: bigint | null = null;
      let atOldest = 0;
      for (const e of entries) {
        if (e.ns >= endNs) continue; // an inclusive `end`
        if (skipAt !== null && e.ns === skipAt && seenAtSkip < skip) {
          seenAtSkip++;
          continue;
        }
        if (oldest === e.ns) atOldest++;
        else {
          oldest = e.ns;
          atOldest = 1;
        }
        const s = e.ns === skipAt ? skip + atOldest : atOldest;
        collector.push(e.line, false, { k: 'l', e: (e.ns + 1n).toString(), s }, Number(e.ns / 1_000_000n));
        if (!collector.wantsMore) break;
      }
      if (oldest === null) break;
      // Next batch: strictly older than `oldest`, or the rest of the entries at `oldest`.
      skip = oldest === skipAt ? skip + atOldest : atOldest;
      skipAt = oldest;
      endNs = oldest + 1n;
    }
  } catch (e) {
    return {
      items: collector.items,
      resume: collector.lastDecided,
      counts: new Map(),
      scannedBytes: bytes,
      truncated,
      error: (e as Error).message,
    };
  }
  collector.end(false);
  const last = collector.items[collector.items.length - 1];
  let resume: LokiPos | null = null;
  if (!collector.wantsMore && last) resume = last.pos;
  else if (truncated) resume = collector.full && last ? last.pos : collector.lastDecided;

  const counts = new Map<string, number>();
  let countError: string | null = null;
  if (w.countSignals) {
    const counter = new Collector<null>(filter, 0, true);
    try {
      const limit = opts.maxLines;
      const { entries, bytes: b } = await lokiQueryRange(
        opts,
        `${selector}${w.countPipeline ?? ''}`,
        startNs,
        msToNs(filter.to) + 1_000_000n,
        limit,
      );
      bytes += b;
      for (const e of entries) counter.push(e.line, false, null, Number(e.ns / 1_000_000n));
      if (entries.length >= limit) truncated ??= `signal counts cover the newest ${limit} matching lines only`;
      for (const [k, v] of counter.counts) counts.set(k, v);
    } catch (e) {
      countError = `signal counts: ${(e as Error).message}`;
    }
  }
  return { items: collector.items, resume, counts, scannedBytes: bytes, truncated, error: countError };
}
