// History columns on the client: merging older frames (from /history) before the live ones,
// picking a time range, and the time span each frame covers. Pure.
import type { Frame } from '../types';
import { lowerBound } from '../stats';

/**
 * Older frames (e.g. a Prometheus backfill) followed by the live ones. Only older frames
 * strictly before the first live frame are kept, so the live data wins where both exist.
 */
export function mergeFrames(older: readonly Frame[], live: readonly Frame[]): Frame[] {
  if (older.length === 0) return live.slice();
  const firstLive = live.length ? live[0].t : Infinity;
  const before = older.filter((f) => f.t < firstLive).sort((a, b) => a.t - b.t);
  const out: Frame[] = [];
  for (const f of before) if (!out.length || out[out.length - 1].t !== f.t) out.push(f);
  return out.concat(live);
}

/** Frames with from <= t <= to, in a time-sorted array (binary search, no copy of the rest). */
export function framesInRange(frames: readonly Frame[], from: number, to: number): Frame[] {
  const i = lowerBound(frames, from, (f) => f.t);
  const j = lowerBound(frames, to + 1e-9, (f) => f.t);
  return frames.slice(i, j);
}

/** How long before its timestamp a frame's data reaches back (its poll interval or step). */
export function nominalStep(frames: readonly Frame[], i: number, pollIntervalMs: number): number {
  const f = frames[i];
  if (f.origin === 'poll') return pollIntervalMs;
  // A Prometheus column covers its query step: the distance to a neighbour from the same source.
  let step = Infinity;
  const prev = frames[i - 1];
  const next = frames[i + 1];
  if (prev && prev.origin === 'prometheus' && f.t > prev.t) step = Math.min(step, f.t - prev.t);
  if (next && next.origin === 'prometheus' && next.t > f.t) step = Math.min(step, next.t - f.t);
  return Number.isFinite(step) ? step : pollIntervalMs;
}

/** Gaps longer than this many nominal steps stay empty (the source was silent). */
export const GAP_FACTOR = 2.5;

/**
 * The time span [start, t] each frame stands for. A frame reaches back to the previous frame
 * when that is at most GAP_FACTOR steps away (missed polls are bridged, and so is the seam
 * between a Prometheus backfill and the first live poll), otherwise one step.
 */
export function frameSpans(frames: readonly Frame[], pollIntervalMs: number): Array<[number, number]> {
  let prevStep = 0;
  return frames.map((f, i) => {
    const step = nominalStep(frames, i, pollIntervalMs);
    const prev = frames[i - 1];
    const dt = prev ? f.t - prev.t : Infinity;
    // Where a coarse backfill meets live polls, the coarser step decides what counts as a gap.
    const width = dt > 0 && dt <= Math.max(step, prevStep) * GAP_FACTOR ? dt : step;
    prevStep = step;
    return [f.t - width, f.t];
  });
}

/**
 * The time range to ask /history for, or null when the frames we hold cover the window.
 * `oldest` is the oldest frame held (null when none).
 */
export function missingRange(
  windowFrom: number,
  windowTo: number,
  oldest: number | null,
  pollIntervalMs: number,
): { from: number; to: number } | null {
  const to = oldest ?? windowTo;
  if (to - windowFrom <= 2 * pollIntervalMs) return null;
  return { from: Math.floor(windowFrom), to: Math.ceil(to) };
}
