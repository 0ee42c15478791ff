// Fulcrum's own log lines about a cluster's troubles, at most one per key (cluster and cause)
// per interval: a fault that repeats every poll must not flood the log. What was held back is
// counted and said with the next line of that key.
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly intervalMs = 60_000,
    private readonly write: (line: string) => void = (line) => console.error(line),
  ) {}

  /** Writes `text` unless a line of `key` was written less than the interval before `now`. */
  warn(key: string, text: string, now: number): boolean {
    const prev = this.last.get(key);
    if (prev && now - prev.at < this.intervalMs) {
      prev.held++;
      return false;
    }
    const held = prev?.held ? ` (${prev.held} more since the last line)` : '';
    this.write(`fulcrum: ${text}${held}`);
    this.last.set(key, { at: now, held: 0 });
    return true;
  }
}
