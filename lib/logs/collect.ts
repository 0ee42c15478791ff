// Turns raw lines, fed newest first by a source (files or Loki), into one page of LogLines and
// the window's signal counts. Pure: no I/O, no clock.
import type { LogLevel, LogLine, LogSource, SignalCount } from './types';
import { LOG_LEVELS, levelRank } from './types';
import { ANY_TEXT_SIGNAL, parseLine, type ParseContext } from './parse';
import { balancerLineIsFor, balancerRawMaybeFor, type MemberLogTarget } from './members';

export interface LineFilter {
  source: LogSource;
  from: number;
  to: number;
  ctx: ParseContext;
  target: MemberLogTarget;
  /** Case-insensitive text to find in the raw line. */
  q: string | null;
  level: LogLevel | null;
  /** Only lines with a signal. */
  signalsOnly?: boolean;
}

export interface Positioned<P> {
  line: LogLine;
  pos: P;
}

/** Lines without a time wait for the older line they continue; at most this many. */
const MAX_PENDING = 2_000;
const WARN = LOG_LEVELS.indexOf('warn');

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Collector<P> {
  readonly items: Array<Positioned<P>> = [];
  /** `${minute}\t${signal}` → lines. */
  readonly counts = new Map<string, number>();
  /** Another accepted line exists after the page was full. */
  more = false;
  /** Position of the last line whose fate is decided (where a next page resumes, exclusive). */
  lastDecided: P | null = null;
  private pending: Array<{ raw: string; cut: boolean; pos: P }> = [];
  private readonly qRe: RegExp | null;
  private readonly minRank: number;

  constructor(
    private readonly f: LineFilter,
    private readonly limit: number,
    private readonly countSignals: boolean,
  ) {
    this.qRe = f.q ? new RegExp(escapeRe(f.q), 'i') : null;
    this.minRank = f.level ? LOG_LEVELS.indexOf(f.level) : -1;
  }

  get full(): boolean {
    return this.items.length >= this.limit;
  }

  /** Whether feeding more lines can change the result. */
  get wantsMore(): boolean {
    return !this.full || this.countSignals || !this.more;
  }

  /** One raw line, newest first. `tHint`: a time from the source (Loki) when the line has none. */
  push(raw: string, cut: boolean, pos: P, tHint: number | null = null): void {
    if (raw.length === 0) return;
    if (!this.mustParse(raw)) {
      this.lastDecided = pos;
      return;
    }
    const line = this.parse(raw, cut);
    if (line.t === null && tHint !== null) line.t = tHint;
    if (line.t === null) {
      if (this.pending.length >= MAX_PENDING) this.flush(null);
      this.pending.push({ raw, cut, pos });
      return;
    }
    this.flush(line.t);
    this.decide(line, pos);
  }

  /** No more input. `atStart`: the scan reached the very start of the log (not a window bound). */
  end(atStart: boolean): void {
    // Lines before the first timed line of the range belong to a line outside the window,
    // unless nothing comes before them at all.
    if (atStart && this.pending.length) this.flush(this.lastT);
    this.pending = [];
  }

  private lastT: number | null = null;

  private flush(t: number | null): void {
    const pend = this.pending;
    this.pending = [];
    for (const p of pend) {
      const line = this.parse(p.raw, p.cut);
      line.t = null; // keep "no time" visible; it is decided by its neighbour's time
      this.decide(line, p.pos, t);
    }
  }

  /**
   * Whether a line must be parsed: it may be shown (or prove there is more after a full page),
   * or it may carry a signal to count. Raw-text tests first: most lines of a big window are
   * decided without JSON.parse or a format regex.
   */
  private mustParse(raw: string): boolean {
    if (this.pending.length) return true; // lines without a time wait for the next timed one
    if (this.f.source === 'balancer' && !balancerRawMaybeFor(raw, this.f.target)) return false;
    const matches =
      (!this.qRe || this.qRe.test(raw)) &&
      (!this.f.signalsOnly || this.f.source === 'balancer' || ANY_TEXT_SIGNAL.member.test(raw));
    if (matches && !(this.full && this.more)) return true;
    if (!this.countSignals) return false;
    // Balancer signals include parsed fields (status, termination): parse every candidate.
    return this.f.source === 'balancer' || ANY_TEXT_SIGNAL.member.test(raw);
  }

  private parse(raw: string, cut: boolean): LogLine {
    const line = parseLine(raw, this.f.source, this.f.ctx, this.f.target.endpoint.url);
    if (cut) line.fields.truncated = 'line longer than the read limit: cut';
    return line;
  }

  private decide(line: LogLine, pos: P, inheritedT?: number | null): void {
    this.lastDecided = pos;
    const t = inheritedT !== undefined ? inheritedT : line.t;
    if (line.t !== null) this.lastT = line.t;
    if (t === null || t < this.f.from || t > this.f.to) return;
    if (this.f.source === 'balancer' && !balancerLineIsFor(line, this.f.target)) return;
    if (this.countSignals && line.signals.length) {
      const minute = Math.floor(t / 60_000) * 60_000;
      for (const s of line.signals) {
        const k = `${minute}\t${s}`;
        this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
      }
    }
    if (this.qRe && !this.qRe.test(line.raw)) return;
    if (this.f.signalsOnly && line.signals.length === 0) return;
    if (this.minRank >= 0) {
      const rank = Math.max(levelRank(line.level), line.signals.length ? WARN : -1);
      if (rank < this.minRank) return;
    }
    if (this.full) {
      this.more = true;
      return;
    }
    this.items.push({ line, pos });
  }
}

export function countsToList(counts: Map<string, number>): SignalCount[] {
  const out: SignalCount[] = [];
  for (const [k, count] of counts) {
    const [m, signal] = k.split('\t');
    out.push({ minute: Number(m), signal, count });
  }
  return out.sort((a, b) => a.minute - b.minute || a.signal.localeCompare(b.signal));
}

export function mergeCounts(into: Map<string, number>, from: Map<string, number>): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}
