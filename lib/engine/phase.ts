// Where in the poll interval a cluster polls. Clusters started together would otherwise poll in
// lock-step: with tens of clusters every member's /metrics arrives in the same few milliseconds,
// the event loop stalls for the whole burst (measured: 30 clusters × 3 members at 1 s stalled it
// 1.2 s while using 12 % of a core) and the overload guard backs every cluster off. Spread by a
// hash of the name, as Prometheus spreads its scrapes by target: stable across restarts and
// replicas, no coordination. Pure.

/** The offset (ms, 0 ≤ offset < intervalMs) at which the cluster `name` polls within each interval. */
export function pollPhaseMs(name: string, intervalMs: number): number {
  // FNV-1a, 32 bits.
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % Math.max(1, Math.floor(intervalMs));
}
