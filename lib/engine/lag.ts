import { type EventLoopUtilization, performance } from 'node:perf_hooks';

// How late Fulcrum's own event loop is: a timer that should fire every `periodMs` notes how
// much later it fired. A late timer means Fulcrum could not run (too busy, or the machine did
// not give it a CPU): an answer that arrived meanwhile sat unread, and a deadline that expired
// meanwhile says nothing about the source. The engine asks how long the loop stalled during a
// poll before it blames a source for a timeout (see `overloadOf` in state.ts).

/** One observation: at `t` (ms) the timer fired `lagMs` later than due. */
export interface LagSample {
  t: number;
  lagMs: number;
}

/**
 * Milliseconds of [from, to] during which the loop was stalled: a sample (t, lag) means it was
 * stuck in [t - lag, t]. Pure; samples in time order.
 */
export function stallWithin(samples: readonly LagSample[], from: number, to: number): number {
  if (!(to > from)) return 0;
  let total = 0;
  for (const s of samples) {
    if (s.t <= from || s.lagMs <= 0) continue;
    const a = Math.max(from, s.t - s.lagMs);
    const b = Math.min(to, s.t);
    if (b > a) total += b - a;
  }
  return total;
}

export class LoopLag {
  private readonly samples: LagSample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private due = 0;
  private users = 0;

  constructor(
    private readonly periodMs = 50,
    /** Samples kept (at 50 ms: the last 100 s, longer than any poll). */
    private readonly capacity = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts sampling (counted: the last `release` stops it). */
  acquire(): void {
    if (this.users++ === 0) this.arm();
  }

  release(): void {
    if (this.users > 0 && --this.users === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private arm(): void {
    this.due = this.now() + this.periodMs;
    this.timer = setTimeout(() => {
      const t = this.now();
      this.samples.push({ t, lagMs: Math.max(0, t - this.due) });
      if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
      if (this.users > 0) this.arm();
    }, this.periodMs);
    this.timer.unref?.();
  }

  /** How busy the loop is now: a mark to measure its utilization from (see `busySince`). */
  mark(): EventLoopUtilization {
    return performance.eventLoopUtilization();
  }

  /**
   * The event loop's utilization since `mark` (0..1): the share of the time it was running
   * rather than waiting for I/O. Near 1, Fulcrum has more work than it gets done; a loop that
   * stalls while mostly idle is one the machine did not give a CPU, which a longer interval
   * would not help.
   */
  busySince(mark: EventLoopUtilization): number {
    return performance.eventLoopUtilization(mark).utilization;
  }

  /** Milliseconds of [from, to] (epoch ms) the loop was stalled, as far as the samples so far show. */
  stalledMs(from: number, to: number): number {
    // A stall still going on shows only once the timer fires: count how overdue it is now.
    const open = this.users > 0 && this.timer ? Math.max(0, to - Math.max(this.due, from)) : 0;
    let i = this.samples.length;
    while (i > 0 && this.samples[i - 1].t > from) i--;
    return stallWithin(this.samples.slice(i), from, to) + open;
  }
}

/** The process's one sampler (engines share it). */
export const loopLag = new LoopLag();

/** What the engine needs of a sampler. */
export type LagSource = Pick<LoopLag, 'stalledMs' | 'acquire' | 'release' | 'mark' | 'busySince'>;

/** A sampler that never sees a stall (replays of recorded polls: their timing is not this process's). */
export const NO_LAG: LagSource = {
  stalledMs: () => 0,
  acquire() {},
  release() {},
  mark: () => ({ idle: 0, active: 0, utilization: 0 }),
  busySince: () => 0,
};
