// When a cluster stream counts as stale, and how often the server says it is alive: one place,
// read by the server (lib/stream/sse.ts heartbeats) and the browser (lib/client/clusterStream.ts).

/** Data older than this is shown as stale: three missed polls, at least 5 s. */
export function staleAfterMs(pollIntervalMs: number): number {
  return Math.max(5000, 3 * pollIntervalMs);
}

/** The longest a stream stays silent: proxies close idle connections after about a minute. */
export const MAX_HEARTBEAT_MS = 15_000;

/**
 * How often a cluster stream sends `event: heartbeat`: three per stale window (at most every
 * 15 s), so a stream whose polls are slow still shows "live" while the server answers.
 */
export function heartbeatMs(pollIntervalMs: number): number {
  return Math.min(MAX_HEARTBEAT_MS, Math.floor(staleAfterMs(pollIntervalMs) / 3));
}
