// Pure helpers the snapshot pages share (browser-safe: no Node imports).
import { RANGES, RANGE_MS, type RangeId } from '../client/viewParams';
import type { SnapshotExpiry } from '../store/types';

/** The smallest range preset that shows the whole window. */
export function rangeForWindow(ms: number): RangeId {
  return RANGES.find((r) => RANGE_MS[r] >= ms - 1000) ?? '24h';
}

export const EXPIRY_LABEL: Record<SnapshotExpiry, string> = { '1h': '1 hour', '1d': '1 day', '1w': '1 week', never: 'never' };

/** "15 min", "1 h", "2 h 30 min" for a window length in ms. */
export function formatWindow(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 1) return `${Math.round(ms / 1000)} s`;
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** The member a drill-down path segment names: its name, or its endpoint URL-encoded. */
export function findMember<T extends { name: string; endpoint: string }>(members: readonly T[], segment: string): T | undefined {
  let s = segment;
  try {
    s = decodeURIComponent(segment);
  } catch {
    // keep as is
  }
  return members.find((m) => m.name === s) ?? members.find((m) => m.endpoint === s);
}

import { DIMENSION_IDS, type DimensionId, type Frame } from '../types';

export interface MemberDimStats {
  dim: DimensionId;
  /** Median and max of the member's value over the window's frames; null without data. */
  median: number | null;
  max: number | null;
  /** Median share and expected share over the window. */
  shareMedian: number | null;
  expectedMedian: number | null;
  /** Frames in which the member was up / had data. */
  samples: number;
}

function med(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Per dimension: the member's typical and peak value, share and expected share over the frames. */
export function memberWindowStats(frames: readonly Frame[], index: number): MemberDimStats[] {
  return DIMENSION_IDS.map((dim) => {
    const vals: number[] = [];
    const shares: number[] = [];
    const expected: number[] = [];
    for (const f of frames) {
      const v = f.values[dim]?.[index];
      if (v !== null && v !== undefined) vals.push(v);
      const s = f.shares[dim]?.[index];
      if (s !== null && s !== undefined) shares.push(s);
      const e = f.expected[dim]?.[index];
      if (e !== null && e !== undefined) expected.push(e);
    }
    return {
      dim,
      median: med(vals),
      max: vals.length ? Math.max(...vals) : null,
      shareMedian: med(shares),
      expectedMedian: med(expected),
      samples: vals.length,
    };
  });
}

/** Frames in which the member was up, out of all. */
export function upRatio(frames: readonly Frame[], index: number): { up: number; total: number } {
  let up = 0;
  for (const f of frames) if (f.up[index]) up++;
  return { up, total: frames.length };
}
