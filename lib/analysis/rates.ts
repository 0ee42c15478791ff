// Counter deltas between two polls of one member, with counter resets handled the way
// Prometheus' rate() does: a counter that went down restarted from zero. Pure.
import {
  COUNTER_IDS,
  HISTOGRAM_IDS,
  type CounterId,
  type Histogram,
  type HistogramId,
  type MemberCounters,
  type PeerCounters,
} from './counters';

export interface CounterDelta {
  /** Seconds between the two polls. */
  dt: number;
  counters: Record<CounterId, number | null>;
  histograms: Record<HistogramId, Histogram | null>;
  /** Per peer (hex member ID): what this member measured towards it between the two polls. */
  peers?: Record<string, PeerCounters>;
  /** The member restarted (process start time changed) or some counter went down. */
  reset: boolean;
  /** The member's process restarted between the two polls (its start time changed). */
  restarted?: boolean;
}

function counterDelta(
  prev: number | null,
  cur: number | null,
  restarted: boolean,
): { d: number | null; reset: boolean } {
  if (cur === null) return { d: null, reset: false };
  if (prev === null) return { d: null, reset: false };
  if (restarted || cur < prev) return { d: cur, reset: true };
  return { d: cur - prev, reset: false };
}

export function histogramDelta(prev: Histogram | null, cur: Histogram | null, restarted = false): Histogram | null {
  if (!cur) return null;
  if (!prev) return null;
  const sameBounds =
    prev.buckets.length === cur.buckets.length && prev.buckets.every(([le], i) => le === cur.buckets[i][0]);
  const wentDown = cur.count < prev.count || (sameBounds && cur.buckets.some(([, c], i) => c < prev.buckets[i][1]));
  if (restarted || !sameBounds || wentDown) return cur;
  return {
    buckets: cur.buckets.map(([le, c], i) => [le, c - prev.buckets[i][1]] as [number, number]),
    count: cur.count - prev.count,
    sum: cur.sum - prev.sum,
  };
}

export function diffCounters(prev: MemberCounters | null, cur: MemberCounters, dtSec: number): CounterDelta {
  const restarted =
    prev !== null &&
    prev.gauges.processStartTime !== null &&
    cur.gauges.processStartTime !== null &&
    prev.gauges.processStartTime !== cur.gauges.processStartTime;
  const counters = {} as Record<CounterId, number | null>;
  let reset = restarted;
  for (const id of COUNTER_IDS) {
    const r = counterDelta(prev ? prev.counters[id] : null, cur.counters[id], restarted);
    counters[id] = r.d;
    reset ||= r.reset;
  }
  const histograms = {} as Record<HistogramId, Histogram | null>;
  for (const id of HISTOGRAM_IDS)
    histograms[id] = histogramDelta(prev ? prev.histograms[id] : null, cur.histograms[id], restarted);
  const peers: Record<string, PeerCounters> = {};
  for (const [to, p] of Object.entries(cur.peers ?? {})) {
    const old = prev?.peers?.[to] ?? null;
    peers[to] = {
      rtt: histogramDelta(old?.rtt ?? null, p.rtt, restarted),
      sendFailures: counterDelta(old?.sendFailures ?? null, p.sendFailures, restarted).d,
    };
  }
  return { dt: dtSec, counters, histograms, peers, reset, restarted };
}

/** Adds histograms with the same bounds (a window of deltas); mismatched bounds keep the newest. */
export function sumHistograms(hs: Array<Histogram | null>): Histogram | null {
  let acc: Histogram | null = null;
  for (const h of hs) {
    if (!h) continue;
    if (!acc || acc.buckets.length !== h.buckets.length || acc.buckets.some(([le], i) => le !== h.buckets[i][0])) {
      acc = { buckets: h.buckets.map(([le, c]) => [le, c] as [number, number]), count: h.count, sum: h.sum };
      continue;
    }
    acc = {
      buckets: acc.buckets.map(([le, c], i) => [le, c + h.buckets[i][1]] as [number, number]),
      count: acc.count + h.count,
      sum: acc.sum + h.sum,
    };
  }
  return acc;
}

/**
 * The q-quantile of a cumulative histogram, interpolated linearly inside the bucket like
 * Prometheus' histogram_quantile(). Null when it holds no observations.
 */
export function histogramQuantile(q: number, h: Histogram | null): number | null {
  if (!h || h.buckets.length === 0) return null;
  const total = h.buckets[h.buckets.length - 1][1];
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of h.buckets) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      if (count === prevCount) return le;
      const lower = prevLe > 0 || le <= 0 ? prevLe : 0;
      return lower + (le - lower) * ((rank - prevCount) / (count - prevCount));
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}
