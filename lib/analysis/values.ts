// Per-member dimension values from a window of counter deltas. Pure.
import { emptyDimRecord } from '../dimensions';
import type { DimensionId } from '../types';
import type { CounterId, MemberCounters } from './counters';
import { histogramQuantile, sumHistograms, type CounterDelta } from './rates';

const RATE_COUNTERS: Partial<Record<DimensionId, CounterId>> = {
  requests: 'requests',
  reads: 'reads',
  writes: 'writes',
  bytesIn: 'bytesIn',
  bytesOut: 'bytesOut',
  cpu: 'cpuSeconds',
  peerBytesOut: 'peerBytesOut',
};

/** Rate of a counter over a window: summed deltas over summed time; null without any delta. */
export function windowRate(deltas: CounterDelta[], id: CounterId): number | null {
  let sum = 0;
  let dt = 0;
  for (const d of deltas) {
    const v = d.counters[id];
    if (v === null || !(d.dt > 0)) continue;
    sum += v;
    dt += d.dt;
  }
  return dt > 0 ? sum / dt : null;
}

/**
 * Values of every dimension for one member: rates over `deltas` (oldest first), gauges from
 * the latest counters, db size from the Status RPC when known, latency p99 from the summed
 * histogram deltas (null when the member exposes no gRPC histogram or saw no calls).
 */
export function memberValues(
  deltas: CounterDelta[],
  latest: MemberCounters | null,
  statusDbSize: number | null,
): Record<DimensionId, number | null> {
  const out = emptyDimRecord<number | null>(() => null);
  for (const [dim, counter] of Object.entries(RATE_COUNTERS) as Array<[DimensionId, CounterId]>) {
    out[dim] = windowRate(deltas, counter);
  }
  out.watchStreams = latest?.gauges.watchStreams ?? null;
  out.dbSize = statusDbSize ?? latest?.gauges.dbTotalBytes ?? null;
  out.latencyP99 = histogramQuantile(0.99, sumHistograms(deltas.map((d) => d.histograms.grpcLatency)));
  return out;
}
