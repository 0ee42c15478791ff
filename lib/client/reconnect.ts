// Reconnect timing for the browser's streams: exponential backoff with jitter, forever. Pure.

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
}

/**
 * The wait before attempt `attempt` (0 = the first retry): base·2^attempt capped at max, then
 * "equal jitter" (between half and all of it), so that a room of walls that lost the server
 * at the same moment does not come back at the same moment.
 */
export function backoffDelay(attempt: number, random: () => number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 1000;
  const max = opts.maxMs ?? 30_000;
  const n = Math.max(0, Math.min(30, Math.floor(attempt)));
  const cap = Math.min(max, base * 2 ** n);
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(cap / 2 + (cap / 2) * r);
}

/** What a stream needs of EventSource (a fake in tests). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (ev: MessageEvent<string>) => void): void;
  onerror: ((ev: Event) => void) | null;
  close(): void;
}

/** A stream's outside world, injected: the browser's in pages (browserStreamDeps), a script in tests. */
export interface StreamDeps {
  createEventSource(url: string): EventSourceLike;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(id: unknown): void;
  now(): number;
  random(): number;
}

/** The real ones (call in the browser only). */
export function browserStreamDeps(): StreamDeps {
  return {
    createEventSource: (url) => new EventSource(url) as unknown as EventSourceLike,
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (id) => window.clearTimeout(id as number),
    setInterval: (fn, ms) => window.setInterval(fn, ms),
    clearInterval: (id) => window.clearInterval(id as number),
    now: () => Date.now(),
    random: () => Math.random(),
  };
}
