// Member × time heatmap geometry: which pixel columns the frames cover (x by timestamp, so
// coarse Prometheus columns are wider than 1 s poll columns and gaps stay empty), and what each
// cell shows. Pure and allocation-light: the canvas redraws from this on every delta.
import { DIMENSIONS } from '../dimensions';
import type { DimensionId, Frame } from '../types';
import { absoluteBucket, relativeBucket } from './color';
import { frameSpans } from './frames';
import { median } from '../stats';
import type { HeatmapMode } from './viewParams';

import { CELL_DOWN, CELL_NODATA, CELL_VALUE } from './cells';

export { CELL_DOWN, CELL_EMPTY, CELL_NODATA, CELL_VALUE, type CellKind } from './cells';

export interface HeatmapLayoutInput {
  /** Time-sorted; may reach outside [from, to]. */
  frames: readonly Frame[];
  rows: number;
  dim: DimensionId;
  mode: HeatmapMode;
  from: number;
  to: number;
  /** Drawing width in device pixels. */
  width: number;
  pollIntervalMs: number;
}

export interface HeatmapColumn {
  /** Device-pixel span [x0, x1). */
  x0: number;
  x1: number;
  /** Frames first..last (indexes into the input frames) drawn in this column. */
  first: number;
  last: number;
}

export interface HeatmapLayout {
  columns: HeatmapColumn[];
  rows: number;
  /** Per cell (col * rows + row). */
  kind: Uint8Array;
  bucket: Uint8Array;
  /** The frame whose value the cell shows (the most extreme of the column's frames). */
  frameOf: Int32Array;
  /** Relative mode: observed / expected (or / peers' median for latency); NaN when none. */
  ratio: Float64Array;
  /** The member's value in the shown frame; NaN when none. */
  value: Float64Array;
  /** Absolute mode: top of the colour scale (the max in view, or its p99 when a few spikes dwarf the rest). */
  absMax: number;
  /** Absolute mode: some values are above absMax (drawn in the top colour). */
  absClipped: boolean;
  /** Leader row per column, -1 when none known. */
  leader: Int16Array;
  /** x (device px) of the columns where a leader differs from the last leader before it. */
  leaderChanges: number[];
  counts: { value: number; down: number; nodata: number };
}

/** What a cell compares: share/expected, or value/peers' median for latency. */
export function cellRatio(frame: Frame, dim: DimensionId, row: number, peerMedian: number | null): number | null {
  if (DIMENSIONS[dim].kind === 'latency') {
    const v = frame.values[dim][row];
    if (v === null || v === undefined || peerMedian === null) return null;
    if (peerMedian > 0) return v / peerMedian;
    return v > 0 ? Infinity : 1;
  }
  const s = frame.shares[dim][row];
  const e = frame.expected[dim][row];
  if (s === null || s === undefined || e === null || e === undefined) return null;
  if (e > 0) return s / e;
  return s > 0 ? Infinity : 1;
}

/** Median of the up members' values in a frame (the latency reference). */
export function peerMedian(frame: Frame, dim: DimensionId): number | null {
  return median(frame.values[dim].filter((_, i) => frame.up[i]));
}

function extremity(ratio: number): number {
  if (ratio <= 0) return Infinity;
  return Math.abs(Math.log2(ratio));
}

export function layoutHeatmap(input: HeatmapLayoutInput): HeatmapLayout {
  const { frames, rows, dim, mode, from, to, pollIntervalMs } = input;
  const width = Math.max(1, Math.floor(input.width));
  const spans = frameSpans(frames, pollIntervalMs);
  const scale = to > from ? width / (to - from) : 0;
  const latency = DIMENSIONS[dim].kind === 'latency';

  // 1. columns: one per frame, frames sharing a pixel merged.
  const columns: HeatmapColumn[] = [];
  for (let i = 0; i < frames.length; i++) {
    const [s, e] = spans[i];
    if (e <= from || s >= to || scale === 0) continue;
    let x0 = Math.round((Math.max(s, from) - from) * scale);
    let x1 = Math.round((Math.min(e, to) - from) * scale);
    if (x0 >= width) x0 = width - 1;
    if (x1 <= x0) x1 = x0 + 1;
    const last = columns[columns.length - 1];
    if (last && x0 < last.x1) {
      if (x1 <= last.x1) {
        last.last = i;
        continue;
      }
      x0 = last.x1;
    }
    columns.push({ x0, x1, first: i, last: i });
  }

  const n = columns.length * rows;
  const kind = new Uint8Array(n);
  const bucket = new Uint8Array(n);
  const frameOf = new Int32Array(n).fill(-1);
  const ratio = new Float64Array(n).fill(NaN);
  const value = new Float64Array(n).fill(NaN);
  const leader = new Int16Array(columns.length).fill(-1);

  // 2. absolute scale: 0..max of what is drawn, unless a few spikes would flatten everything else.
  let absMax = 0;
  let absClipped = false;
  if (mode === 'absolute' && columns.length) {
    const vals: number[] = [];
    for (let i = columns[0].first; i <= columns[columns.length - 1].last; i++) {
      const vs = frames[i].values[dim];
      for (let r = 0; r < rows; r++) {
        const v = vs[r];
        if (frames[i].up[r] && v !== null && v !== undefined && Number.isFinite(v)) vals.push(v);
      }
    }
    const r = robustMax(vals);
    absMax = r.max;
    absClipped = r.clipped;
  }

  // 3. cells.
  const counts = { value: 0, down: 0, nodata: 0 };
  const medians = latency && mode === 'relative' ? new Map<number, number | null>() : null;
  columns.forEach((c, ci) => {
    leader[ci] = frames[c.last].leader;
    for (let r = 0; r < rows; r++) {
      const k = ci * rows + r;
      let best = -1;
      let bestScore = -Infinity;
      let bestRatio = NaN;
      let allDown = true;
      for (let i = c.first; i <= c.last; i++) {
        const f = frames[i];
        if (!f.up[r]) continue;
        allDown = false;
        if (mode === 'absolute') {
          const v = f.values[dim][r];
          if (v === null || v === undefined || !Number.isFinite(v)) continue;
          if (v > bestScore) {
            bestScore = v;
            best = i;
          }
        } else {
          let med: number | null = null;
          if (medians) {
            if (!medians.has(i)) medians.set(i, peerMedian(f, dim));
            med = medians.get(i) ?? null;
          }
          const q = cellRatio(f, dim, r, med);
          if (q === null || Number.isNaN(q)) continue;
          const x = extremity(q);
          if (x > bestScore) {
            bestScore = x;
            best = i;
            bestRatio = q;
          }
        }
      }
      if (best >= 0) {
        kind[k] = CELL_VALUE;
        frameOf[k] = best;
        const v = frames[best].values[dim][r];
        value[k] = v === null || v === undefined ? NaN : v;
        if (mode === 'absolute') {
          bucket[k] = absoluteBucket(value[k], absMax);
        } else {
          ratio[k] = bestRatio;
          bucket[k] = relativeBucket(bestRatio);
        }
        counts.value++;
      } else if (allDown) {
        kind[k] = CELL_DOWN;
        frameOf[k] = c.last;
        counts.down++;
      } else {
        kind[k] = CELL_NODATA;
        frameOf[k] = c.last;
        counts.nodata++;
      }
    }
  });

  const leaderChanges: number[] = [];
  // A change is a new leader after a different one (an election with no leader in between counts).
  let known = -1;
  for (let ci = 0; ci < columns.length; ci++) {
    const l = leader[ci];
    if (l < 0) continue;
    if (known >= 0 && l !== known) leaderChanges.push(columns[ci].x0);
    known = l;
  }

  return { columns, rows, kind, bucket, frameOf, ratio, value, absMax, absClipped, leader, leaderChanges, counts };
}

export const SPIKE_FACTOR = 2;

/**
 * Top of a linear 0..max colour scale: the max, or the 99th percentile when the max is more
 * than SPIKE_FACTOR times it (one 500 ms spike must not turn every 5 ms cell the same colour).
 */
export function robustMax(values: readonly number[]): { max: number; clipped: boolean } {
  if (values.length === 0) return { max: 0, clipped: false };
  const xs = Float64Array.from(values).sort();
  const max = xs[xs.length - 1];
  const p99 = xs[Math.min(xs.length - 1, Math.floor(0.99 * (xs.length - 1)))];
  if (p99 > 0 && max > SPIKE_FACTOR * p99) return { max: p99, clipped: true };
  return { max, clipped: false };
}

/** Column index under device-pixel x, or -1. */
export function columnAt(layout: Pick<HeatmapLayout, 'columns'>, x: number): number {
  const cols = layout.columns;
  let lo = 0;
  let hi = cols.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = cols[mid];
    if (x < c.x0) hi = mid - 1;
    else if (x >= c.x1) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** Column index holding frame time t, or -1. */
export function columnOfTime(layout: Pick<HeatmapLayout, 'columns'>, frames: readonly Frame[], t: number): number {
  const cols = layout.columns;
  for (let ci = 0; ci < cols.length; ci++) {
    const c = cols[ci];
    if (frames[c.first].t <= t && t <= frames[c.last].t) return ci;
  }
  return -1;
}

/** Labels of the absolute scale's bucket edges. */

// ---- time axis ----

const TICK_STEPS = [
  1_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000,
  10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/**
 * "Nice" tick times in [from, to]: the smallest step giving at most maxTicks ticks, aligned to
 * local wall-clock multiples of the step (so 15-min ticks fall on :00, :15, ...).
 */
export function timeTicks(
  from: number,
  to: number,
  maxTicks: number,
  tzOffsetMin = new Date(from).getTimezoneOffset(),
): { step: number; ticks: number[] } {
  if (!(to > from) || maxTicks < 1) return { step: 0, ticks: [] };
  const span = to - from;
  const step = TICK_STEPS.find((s) => span / s <= maxTicks) ?? Math.ceil(span / maxTicks / 86_400_000) * 86_400_000;
  const off = -tzOffsetMin * 60_000; // local = utc + off
  const first = Math.ceil((from + off) / step) * step - off;
  const ticks: number[] = [];
  for (let t = first; t <= to; t += step) ticks.push(t);
  return { step, ticks };
}
