// LogSignalWatcher: the engine's cheap, once-per-poll look at the logs. Each call reads only what
// was appended to the configured files since the last call (bounded per call), follows
// rotation, and keeps per member the signal counts per minute for recent minutes and the last
// matching lines. Loki sources are asked at most every `lokiEveryMs`. This is how log lines
// become evidence for the detectors (e.g. slow-disk cites the `slow fdatasync` lines).
import type { ClusterConfig } from '../config/load';
import type { ClientTimers } from '../types';
import type { LogsConfig } from './config';
import { lokiQueryRange, LOKI_MEMBER_SIGNALS, logqlString } from './loki';
import { balancerLineIsFor, memberTarget, parseContextFor, type MemberLogTarget, type RuntimeNames } from './members';
import { ANY_TEXT_SIGNAL, parseLine } from './parse';
import { FileTail } from './tail';
import { lineTimers, TimerAccumulator } from './timers';
import { SIGNAL_BY_ID, type LogLine, type LogSource, type LogSourceError, type SignalCount } from './types';

export interface WatchOptions {
  /** Bytes read per file per call; when more was appended, the older part is skipped (and counted). */
  maxBytesPerCall?: number;
  /** On the first call, read back at most this much of what the file already holds. */
  backfillBytes?: number;
  /** Minutes of counts kept. */
  keepMinutes?: number;
  /** Matching lines kept per member. */
  recentLines?: number;
  /** Lines longer than this are cut before matching. */
  maxLineBytes?: number;
  /** Loki sources are queried at most this often. */
  lokiEveryMs?: number;
  names?: RuntimeNames;
  env?: Record<string, string | undefined>;
}

export interface MemberLogSignals {
  endpoint: string;
  /** Per minute and signal, oldest first, over the kept minutes. */
  counts: SignalCount[];
  /** The last lines that carried a signal, newest first. */
  recent: LogLine[];
  /** Sources of this member (its log, the balancer's) that could not be read on the last call. */
  errors: LogSourceError[];
  /** Bytes skipped because more was appended in one poll than a call reads. */
  skippedBytes: number;
}

const DEFAULTS = {
  maxBytesPerCall: 1024 * 1024,
  backfillBytes: 256 * 1024,
  keepMinutes: 15,
  recentLines: 10,
  maxLineBytes: 16 * 1024,
  lokiEveryMs: 15_000,
};

interface Tail {
  file: FileTail;
  source: LogSource;
  /** Members whose lines this file holds (one for a member log, all for the balancer). */
  targets: MemberLogTarget[];
  readonly error: string | null;
}

interface LokiTail {
  selector: string;
  source: LogSource;
  targets: MemberLogTarget[];
  /** ns of the newest entry counted. */
  lastNs: bigint | null;
  nextAt: number;
  error: string | null;
}

interface MemberAcc {
  counts: Map<number, Map<string, number>>;
  recent: LogLine[];
  skippedBytes: number;
}

export class LogSignalWatcher {
  private readonly o: typeof DEFAULTS & Pick<WatchOptions, 'names' | 'env'>;
  private readonly tails: Tail[] = [];
  private readonly lokiTails: LokiTail[] = [];
  private readonly acc = new Map<string, MemberAcc>();
  private readonly targets: MemberLogTarget[];
  private readonly timerAcc = new TimerAccumulator();
  private running: Promise<void> | null = null;

  constructor(
    private readonly cluster: ClusterConfig,
    opts: WatchOptions = {},
  ) {
    this.o = { ...DEFAULTS, ...opts };
    this.targets = cluster.endpoints.map((e) => memberTarget(cluster, e, opts.names));
    for (const t of this.targets) this.acc.set(t.endpoint.url, { counts: new Map(), recent: [], skippedBytes: 0 });
    const logs = cluster.logs as LogsConfig | null;
    if (!logs) return;
    for (const t of this.targets) {
      if (t.file) this.tails.push(this.newTail(t.file, 'member', [t]));
      else if (t.loki)
        this.lokiTails.push({ selector: t.loki, source: 'member', targets: [t], lastNs: null, nextAt: 0, error: null });
    }
    if (logs.balancer) this.tails.push(this.newTail(logs.balancer, 'balancer', this.targets));
    else if (logs.loki?.balancer)
      this.lokiTails.push({
        selector: logs.loki.balancer,
        source: 'balancer',
        targets: this.targets,
        lastNs: null,
        nextAt: 0,
        error: null,
      });
  }

  /** Whether any log source is configured (else poll() is a no-op). */
  get enabled(): boolean {
    return this.tails.length > 0 || this.lokiTails.length > 0;
  }

  /**
   * Reads what was appended since the last call (bounded) and returns every member's signals.
   * Never throws: unreadable sources show in each member's `errors`. Calls don't overlap.
   */
  async poll(now = Date.now()): Promise<Map<string, MemberLogSignals>> {
    if (!this.running) {
      this.running = (async () => {
        await Promise.all([
          ...this.tails.map((t) => this.readTail(t, now)),
          ...this.lokiTails.map((t) => this.readLoki(t, now)),
        ]);
        this.prune(now);
      })().finally(() => {
        this.running = null;
      });
    }
    await this.running;
    return this.snapshot();
  }

  /** The current state without reading anything. */
  snapshot(): Map<string, MemberLogSignals> {
    const out = new Map<string, MemberLogSignals>();
    for (const t of this.targets) {
      const a = this.acc.get(t.endpoint.url)!;
      const counts: SignalCount[] = [];
      for (const [minute, m] of [...a.counts].sort((x, y) => x[0] - y[0]))
        for (const [signal, count] of m) counts.push({ minute, signal, count });
      const errors: LogSourceError[] = [];
      for (const tail of [...this.tails, ...this.lokiTails]) {
        if (tail.error && tail.targets.includes(t)) errors.push({ source: tail.source, message: tail.error });
      }
      out.set(t.endpoint.url, {
        endpoint: t.endpoint.url,
        counts,
        recent: [...a.recent],
        errors,
        skippedBytes: a.skippedBytes,
      });
    }
    return out;
  }

  /**
   * Lines per member and signal over the last `windowMs` (whole minutes that overlap it), keyed
   * by signal label (`slow fdatasync`, `failed to connect to member`, …) or id: the shape of
   * DiagnosisInput.logSignals. null when no log source is configured.
   */
  totals(
    windowMs: number,
    now = Date.now(),
    by: 'label' | 'id' = 'label',
  ): Record<string, Record<string, number>> | null {
    if (!this.enabled) return null;
    const since = Math.floor((now - windowMs) / 60_000) * 60_000;
    const out: Record<string, Record<string, number>> = {};
    for (const [ep, a] of this.acc) {
      const r: Record<string, number> = {};
      for (const [minute, m] of a.counts) {
        if (minute < since) continue;
        for (const [id, n] of m) {
          const k = by === 'label' ? (SIGNAL_BY_ID[id]?.label ?? id) : id;
          r[k] = (r[k] ?? 0) + n;
        }
      }
      out[ep] = r;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.running?.catch(() => undefined);
    for (const t of this.tails) await t.file.close();
  }

  private record(line: LogLine, targets: MemberLogTarget[], now: number): void {
    if (!line.signals.length) return;
    const minute = Math.floor((line.t ?? now) / 60_000) * 60_000;
    for (const t of targets) {
      const a = this.acc.get(t.endpoint.url)!;
      let m = a.counts.get(minute);
      if (!m) a.counts.set(minute, (m = new Map()));
      for (const s of line.signals) m.set(s, (m.get(s) ?? 0) + 1);
      a.recent.unshift({ ...line, member: t.endpoint.url });
      if (a.recent.length > this.o.recentLines) a.recent.length = this.o.recentLines;
    }
  }

  /** A parsed line: its signals, and (a balancer's traffic line) its timers, for the members it is about. */
  private take(line: LogLine, tail: { source: LogSource; targets: MemberLogTarget[] }, now: number): void {
    const timers = tail.source === 'balancer' ? lineTimers(line) : null;
    if (!line.signals.length && !timers) return;
    const targets = tail.source === 'member' ? tail.targets : tail.targets.filter((t) => balancerLineIsFor(line, t));
    if (timers) for (const t of targets) this.timerAcc.record(t.endpoint.url, line.t ?? now, timers);
    this.record(line, targets, now);
  }

  private handleLine(tail: Tail, raw: string, now: number): void {
    if (raw.length === 0) return;
    if (tail.source === 'member' && !ANY_TEXT_SIGNAL.member.test(raw)) return;
    const ctx = parseContextFor(this.cluster, now);
    const line = parseLine(raw, tail.source, ctx, tail.source === 'member' ? tail.targets[0].endpoint.url : null);
    this.take(line, tail, now);
  }

  /**
   * Per member: latency as clients saw it through the balancer, from its log lines over the last
   * `windowMs` (whole minutes). null when no balancer log is read.
   */
  timers(windowMs: number, now = Date.now()): Record<string, ClientTimers> | null {
    if (!this.tails.some((t) => t.source === 'balancer') && !this.lokiTails.some((t) => t.source === 'balancer'))
      return null;
    return this.timerAcc.window(windowMs, now);
  }

  private prune(now: number): void {
    const keepFrom = Math.floor(now / 60_000) * 60_000 - this.o.keepMinutes * 60_000;
    for (const a of this.acc.values()) for (const m of a.counts.keys()) if (m < keepFrom) a.counts.delete(m);
    this.timerAcc.prune(keepFrom);
  }

  private newTail(pattern: string, source: LogSource, targets: MemberLogTarget[]): Tail {
    const file = new FileTail(pattern, this.o);
    return {
      file,
      source,
      targets,
      get error() {
        return file.error;
      },
    };
  }

  private async readTail(tail: Tail, now: number): Promise<void> {
    const skipped = await tail.file.read((raw) => this.handleLine(tail, raw, now));
    if (skipped > 0) for (const t of tail.targets) this.acc.get(t.endpoint.url)!.skippedBytes += skipped;
  }

  private async readLoki(tail: LokiTail, now: number): Promise<void> {
    if (now < tail.nextAt) return;
    tail.nextAt = now + this.o.lokiEveryMs;
    const loki = (this.cluster.logs as LogsConfig).loki!;
    const endNs = BigInt(now) * 1_000_000n + 1n;
    const startNs = tail.lastNs !== null ? tail.lastNs + 1n : BigInt(now - this.o.lokiEveryMs) * 1_000_000n;
    const stage =
      tail.source === 'member'
        ? ` |~ ${logqlString(LOKI_MEMBER_SIGNALS)}`
        : ` |~ ${logqlString([...tail.targets.flatMap((t) => t.aliases), '<NOSRV>', 'no live upstreams', 'has no server available'].map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'))}`;
    try {
      const { entries } = await lokiQueryRange(
        {
          url: loki.url,
          tenant: loki.tenant,
          bearerTokenEnv: loki.bearerTokenEnv,
          timeoutMs: loki.timeoutMs,
          maxLines: loki.maxLines,
          env: this.o.env,
        },
        `${tail.selector}${stage}`,
        startNs,
        endNs,
        Math.min(loki.maxLines, 5_000),
      );
      const ctx = parseContextFor(this.cluster, now);
      for (const e of [...entries].reverse()) {
        const line = parseLine(
          e.line,
          tail.source,
          ctx,
          tail.source === 'member' ? tail.targets[0].endpoint.url : null,
        );
        if (line.t === null) line.t = Number(e.ns / 1_000_000n);
        this.take(line, tail, now);
      }
      if (entries.length) tail.lastNs = entries[0].ns;
      else tail.lastNs = endNs - 1n;
      tail.error = null;
    } catch (e) {
      tail.error = (e as Error).message;
    }
  }
}
