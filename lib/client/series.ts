// The imbalance-score timeline: one point per frame (at most maxPoints, keeping the worst
// score of each bucket), with null points where the data has gaps so lines break. Pure.
import { imbalanceScore } from '../analysis/score';
import type { ClusterEvent, DimensionId, Frame } from '../types';
import { frameSpans } from './frames';

export interface ScorePoint {
  t: number;
  /** Score against the expected shares (the frame's own score). */
  score: number | null;
  /** Score of the same shares against equal shares (only meaningful when weighted). */
  scoreEqual: number | null;
}

/** A frame's score against equal shares among the members that had an expectation. */
export function frameScoreEqual(frame: Frame, dim: DimensionId): number | null {
  if (frame.scores[dim] === null || frame.scores[dim] === undefined) return null;
  const exp = frame.expected[dim];
  const n = exp.filter((e) => e !== null).length;
  if (n < 2) return null;
  return imbalanceScore(
    frame.shares[dim],
    exp.map((e) => (e === null ? null : 1 / n)),
  );
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/**
 * Score points for frames (time-sorted) in [from, to]. Where consecutive frames are further
 * apart than their spans bridge, a null point is inserted so the line is broken, not joined.
 */
export function scoreSeries(
  frames: readonly Frame[],
  dim: DimensionId,
  from: number,
  to: number,
  pollIntervalMs: number,
  maxPoints = 600,
): ScorePoint[] {
  return bucketSeries(
    frames,
    from,
    to,
    pollIntervalMs,
    maxPoints,
    (f) => ({ t: f.t, score: f.scores[dim] ?? null, scoreEqual: frameScoreEqual(f, dim) }),
    (t) => ({ t, score: null, scoreEqual: null }),
  );
}

/**
 * Chart points from frames in [from, to]: at most `maxPoints`, each bucket keeping the largest
 * value of every series (spikes stay visible), and a null point wherever frames are further
 * apart than their spans bridge, so the line breaks instead of joining across a gap.
 */
export function bucketSeries<P extends { t: number }>(
  frames: readonly Frame[],
  from: number,
  to: number,
  pollIntervalMs: number,
  maxPoints: number,
  point: (f: Frame) => P,
  gapPoint: (t: number) => P,
): P[] {
  const spans = frameSpans(frames, pollIntervalMs);
  const bucketMs = Math.max(1, (to - from) / Math.max(1, maxPoints));
  const out: P[] = [];
  let cur: P | null = null;
  let curBucket = -Infinity;
  let prevT: number | null = null;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (f.t < from || f.t > to) continue;
    if (prevT !== null && spans[i][0] > prevT && cur) {
      out.push(cur, gapPoint((prevT + spans[i][0]) / 2));
      cur = null;
    }
    const p = point(f);
    const b = Math.floor((f.t - from) / bucketMs);
    if (cur && b === curBucket) {
      const merged = { ...cur } as Record<string, unknown>;
      for (const [k, v] of Object.entries(p))
        if (k !== 't') merged[k] = maxOrNull(merged[k] as number | null, v as number | null);
      cur = merged as P;
    } else {
      if (cur) out.push(cur);
      cur = p;
      curBucket = b;
    }
    prevT = f.t;
  }
  if (cur) out.push(cur);
  return out;
}

/** Events in [from, to], newest first. */
export function eventsInRange(events: readonly ClusterEvent[], from: number, to: number): ClusterEvent[] {
  return events.filter((e) => e.t >= from && e.t <= to).sort((a, b) => b.t - a.t);
}

/** Events within `radius` ms of t (for a tooltip), oldest first. */
export function eventsNear(events: readonly ClusterEvent[], t: number, radius: number): ClusterEvent[] {
  return events.filter((e) => Math.abs(e.t - t) <= radius).sort((a, b) => a.t - b.t);
}
