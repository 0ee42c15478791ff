// Per-client sliding-window limit on snapshot creation (per process: with several replicas each
// counts its own). A process-wide ceiling of 10× the per-client limit bounds what clients that
// vary their address (X-Forwarded-For) can do.

export interface RateDecision {
  ok: boolean;
  /** Seconds until the next creation is allowed (when !ok). */
  retryAfterS: number;
}

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private all: number[] = [];
  private lastSweep = 0;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs = 60_000,
    private readonly globalFactor = 10,
  ) {}

  /** Counts one creation for `key` at `now` if allowed. */
  take(key: string, now: number): RateDecision {
    const cut = now - this.windowMs;
    this.sweep(now);
    const mine = (this.hits.get(key) ?? []).filter((t) => t > cut);
    this.all = this.all.filter((t) => t > cut);
    const globalMax = this.perWindow * this.globalFactor;
    if (mine.length >= this.perWindow || this.all.length >= globalMax) {
      const oldest = mine.length >= this.perWindow ? mine[0] : this.all[0];
      this.hits.set(key, mine);
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000)) };
    }
    mine.push(now);
    this.all.push(now);
    this.hits.set(key, mine);
    return { ok: true, retryAfterS: 0 };
  }

  /** Would `take` refuse `key` now? (Counts nothing.) */
  blocked(key: string, now: number): boolean {
    const cut = now - this.windowMs;
    return (this.hits.get(key) ?? []).filter((t) => t > cut).length >= this.perWindow;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    const cut = now - this.windowMs;
    for (const [k, v] of this.hits) if (!v.some((t) => t > cut)) this.hits.delete(k);
  }
}

/**
 * The client's address: the last X-Forwarded-For entry (Next.js sets the header to the peer
 * address when absent; a proxy in front appends the address it saw), else "unknown".
 */
export function clientKey(headers: Headers): string {
  const xff = headers.get('x-forwarded-for');
  if (xff) {
    const parts = xff
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (parts.length) return parts[parts.length - 1].slice(0, 100);
  }
  return headers.get('x-real-ip')?.trim().slice(0, 100) || 'unknown';
}
