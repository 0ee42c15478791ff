// History for views whose range reaches past what a stream's first state carries: from memory
// when it covers the range, else from Prometheus. Shared by every viewer: a range is asked of
// Prometheus once per cluster and step (the step from a fixed ladder, so viewers of the same
// range agree on it), the answer is kept until the next step begins, and viewers asking for the
// same (aligned) range get the very same answer object, which the route encodes once.
import type { Frame } from '../types';
import type { HistoryAnswer } from './live';

/** Steps (seconds) a Prometheus range is read at: the smallest that keeps the points asked for. */
export const STEP_LADDER_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 86_400];

export function ladderStep(spanMs: number, maxPoints: number, pollIntervalMs: number): number {
  const need = Math.max(spanMs / 1000 / maxPoints, pollIntervalMs / 1000);
  return STEP_LADDER_S.find((s) => s >= need) ?? Math.ceil(need);
}

const down = (t: number, stepMs: number) => Math.floor(t / stepMs) * stepMs;

interface RangeEntry {
  from: number;
  to: number;
  /** Frames, or the error that Prometheus answered (kept as long as frames would be). */
  pending: Promise<{ frames: Frame[]; error: string | null }>;
  answers: Map<string, HistoryAnswer>;
  usedAt: number;
}

export interface HistorySource {
  now(): number;
  pollIntervalMs: number;
  /** The in-memory frames (oldest first) and what identifies them: a new key means new frames. */
  memory(): { key: object; frames: readonly Frame[] };
  /** Frames from Prometheus between two times (ms) at a step (s); null when none is configured. */
  fetchRange: ((from: number, to: number, stepS: number) => Promise<Frame[]>) | null;
}

/** Steps fetched before the asked start (see get). */
const SLACK_STEPS = 10;

/** Answers kept per range: a handful of ranges (5m … 24h) per cluster. */
const MAX_RANGES = 8;

export class HistoryCache {
  private memoryKey: object | null = null;
  private memoryAnswers = new Map<string, HistoryAnswer>();
  private readonly ranges = new Map<number, RangeEntry>();
  /** Prometheus range fetches started (each is one set of queries). */
  fetches = 0;

  constructor(private readonly src: HistorySource) {}

  async get(fromAsked: number, toAsked: number, maxPoints: number): Promise<HistoryAnswer> {
    const now = this.src.now();
    // Nothing exists after now (Prometheus would carry the last values forward into the future).
    const to = Math.min(toAsked, now);
    const poll = this.src.pollIntervalMs;
    const from = down(fromAsked, poll);
    if (to <= from) return { frames: [], source: 'memory', error: null, from, to };
    const mem = this.src.memory();
    const covered = mem.frames.length > 0 && mem.frames[0].t <= from + poll;
    if (covered || !this.src.fetchRange) {
      if (this.memoryKey !== mem.key) {
        this.memoryKey = mem.key;
        this.memoryAnswers.clear();
      }
      const key = `${from}|${down(to, poll)}`;
      let a = this.memoryAnswers.get(key);
      if (!a) {
        a = {
          frames: mem.frames.filter((f) => f.t >= from && f.t <= to),
          source: 'memory',
          error: covered ? null : 'range is older than the in-memory history and no Prometheus is configured',
          from,
          to,
        };
        this.memoryAnswers.set(key, a);
      }
      return a;
    }
    const step = ladderStep(to - from, maxPoints, poll);
    const stepMs = step * 1000;
    const rangeFrom = down(from, stepMs);
    const rangeTo = down(now, stepMs);
    let e = this.ranges.get(step);
    // Kept until the next step begins, and only if it reaches back far enough.
    if (!e || e.to !== rangeTo || e.from > rangeFrom) {
      const fetch = this.src.fetchRange;
      this.fetches++;
      // A few steps more than asked: a viewer who opened the page a moment earlier asks a little further back.
      const fetchFrom = rangeFrom - SLACK_STEPS * stepMs;
      const pending = fetch(fetchFrom, rangeTo, step).then(
        (frames) => ({ frames, error: null }),
        (err: unknown) => ({ frames: [] as Frame[], error: err instanceof Error ? err.message : String(err) }),
      );
      e = { from: fetchFrom, to: rangeTo, pending, answers: new Map(), usedAt: now };
      this.ranges.set(step, e);
      this.evict();
    }
    e.usedAt = now;
    const r = await e.pending;
    const sliceTo = Math.min(to, rangeTo);
    const key = `${rangeFrom}|${down(to, stepMs)}`;
    let a = e.answers.get(key);
    if (!a) {
      a = r.error
        ? // Prometheus failed: what memory has, and why the rest is missing.
          { frames: mem.frames.filter((f) => f.t >= from && f.t <= to), source: 'memory', error: r.error, from, to }
        : {
            frames: r.frames.filter((f) => f.t >= rangeFrom && f.t <= sliceTo),
            source: 'prometheus',
            error: null,
            from: rangeFrom,
            to: sliceTo,
          };
      e.answers.set(key, a);
    }
    return a;
  }

  private evict(): void {
    if (this.ranges.size <= MAX_RANGES) return;
    const oldest = [...this.ranges.entries()].sort((a, b) => a[1].usedAt - b[1].usedAt)[0];
    this.ranges.delete(oldest[0]);
  }
}
